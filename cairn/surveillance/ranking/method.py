"""The plain-language explanation of the ranking, in one place.

The page, the CSV (as comment lines at the top) and the PDF all print these sections,
so what a reader is told cannot drift between them. Pure Python: the caller passes what
it knows about the run (definition, period, regions, an example row) as a `MethodContext`.
"""

from dataclasses import dataclass, field

TITLE = "High-overdose communities: ranking with honest uncertainty"


@dataclass(frozen=True)
class MethodContext:
    definition_name: str
    period_label: str  # e.g. "12 months from 1 June 2024 to 31 May 2025"
    previous_period_label: str
    sources_label: str  # e.g. "all sources" or "emergency department visits"
    level_label: str  # "local health areas" or "health service delivery areas"
    region_label: str  # "its health authority" or "the province"
    population_year: int
    ranked: int  # how many communities are ranked
    draws: int
    top: int
    aggregate_view: bool  # the viewer sees small counts suppressed
    example: str = ""  # a sentence about this ranking's own example row, if any
    region_means: list[str] = field(default_factory=list)  # "Fraser: 123.4 per 100,000"


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str]


def method_sections(context: MethodContext) -> list[Section]:
    """The explanation, section by section, in plain words."""
    c = context
    sections = [
        Section(
            "What this ranking shows",
            [
                f"Communities ({c.level_label}) ranked by their rate of {c.definition_name} "
                f"events per 100,000 people per year, from {c.sources_label}, over the "
                f"{c.period_label}. Rank 1 is the highest rate. {c.ranked} communities are "
                f"ranked. Populations are those of {c.population_year}.",
                "Each row gives the events counted, the population, the crude rate (events "
                "divided by population) with its exact 95% interval, the smoothed rate with "
                "its 95% interval, the rank with its 95% rank interval, and the trend "
                "against the previous 12 months.",
            ],
        ),
        Section(
            "The small-numbers problem",
            [
                "In a community of a few thousand people, one or two more overdoses can "
                "double its rate. A ranking of crude rates is therefore led by small "
                "communities whose rates jumped by chance, while a large city with a "
                "steadily high rate sits lower. Crude rates of small communities are "
                "unstable: read them with their intervals.",
            ],
        ),
        Section(
            "Smoothed rates (empirical Bayes)",
            [
                "The smoothed rate combines a community's own rate with the average rate of "
                f"{c.region_label}. A community with many people keeps almost its own rate; "
                "a small community is pulled toward the regional average, because its own "
                "count says less. How strongly depends on how much the communities of the "
                "region really differ from each other, which is estimated from the data "
                "(a Poisson–gamma model; Clayton and Kaldor 1987, with the method-of-moments "
                "estimates of Marshall 1991).",
                "Where a region has fewer than five communities, or its communities differ "
                "no more than chance alone would make them, its average is kept but the "
                "spread between communities is taken from all regions together.",
                "The 95% interval of a smoothed rate is the range in which the true rate "
                "lies with 95% probability under this model.",
                *c.region_means,
            ],
        ),
        Section(
            "Why rank intervals matter",
            [
                "A rank on its own looks more certain than it is. A community ranked 3rd "
                "may plausibly be anywhere from 1st to 15th. To show this, Cairn draws "
                f"every community's rate {c.draws:,} times from its smoothed-rate "
                "distribution, ranks the communities in each draw, and reports the middle "
                "(median) rank and the range that holds 95% of the ranks: the rank interval. "
                f"It also gives the share of draws in which a community is in the top {c.top}.",
                "When the rank intervals of two communities overlap widely, the data cannot "
                "tell which of the two has the higher rate. Funding decisions should weigh "
                "the interval, not only the rank.",
                *([c.example] if c.example else []),
            ],
        ),
        Section(
            "Trend",
            [
                "The trend compares the rate in this period with the rate in the "
                f"{c.previous_period_label}, as a rate ratio with its exact 95% interval. "
                "\u201cRising\u201d means the whole interval is above 1, \u201cfalling\u201d "
                "that it is below 1; otherwise there is no clear change.",
            ],
        ),
        Section(
            "What this ranking cannot tell",
            [
                "Each event counts in the community Cairn placed it in; events whose "
                "place is unknown are in no community's rate. An event is an encounter "
                "(an emergency visit, a paramedic call, a death), so one person can count "
                "more than once. The smoothing treats each region's average and spread as "
                "known, so its intervals are slightly narrower than a full Bayesian "
                "analysis would give. Behind every event is a person; these numbers guide "
                "where to offer help, they do not rank people or places by worth.",
            ],
        ),
    ]
    if c.aggregate_view:
        sections.append(
            Section(
                "Small counts are hidden in this view",
                [
                    "Counts from 1 to 4 are not shown, to protect the people behind them. A "
                    "smoothed rate, its interval, a rank or a trend, together with the "
                    "population, would give such a count away, so a community with 1 to 4 "
                    "events is listed apart, without rate or rank. So that a total cannot "
                    "give a hidden count away by subtraction, one more community of the "
                    "same region may be hidden with it. The ranks in this view count only "
                    "the communities shown. Trend figures are hidden where the previous "
                    "period had 1 to 4 events.",
                ],
            )
        )
    return sections


def method_text(context: MethodContext) -> list[str]:
    """The explanation as lines of plain text (headings followed by their paragraphs)."""
    lines = [TITLE]
    for section in method_sections(context):
        lines.append("")
        lines.append(section.heading)
        lines.extend(section.paragraphs)
    return lines
