"""The plain-language summary of a survey's results.

It says what was measured, in which direction and by how much, with the interval, and
then what the numbers cannot say: a survey shows an association between the campaign and
a difference in scores, never that the campaign caused it. Every sentence is built here,
so the page, the API and the report say the same thing.
"""

from cairn.campaigns.models.surveys import Design

SMALL, MEDIUM, LARGE = 0.2, 0.5, 0.8

CAVEAT = {
    Design.PRE_POST: (
        "This is an association in time, not proof that the campaign caused it: news, "
        "services and other events also changed over the same period, and the people "
        "answering may differ from one wave to the next."
    ),
    Design.WAVES: (
        "This is an association in time, not proof that the campaign caused it: news, "
        "services and other events also changed between the waves, and the people "
        "answering may differ from one wave to the next."
    ),
    Design.EXPOSED_UNEXPOSED: (
        "This is an association, not proof that the campaign changed anyone's views: "
        "people who notice a campaign can differ from those who do not in other ways "
        "(where they live, their age, what they already thought)."
    ),
}


def number(value: float, digits: int = 2) -> str:
    """A signed number as people read it, with a true minus sign."""
    return f"{value:.{digits}f}".replace("-", "−")


def interval(low: float, high: float, digits: int = 2) -> str:
    return f"95% confidence interval {number(low, digits)} to {number(high, digits)}"


def size_words(d: float) -> str:
    size = abs(d)
    if size < SMALL:
        return "smaller than what Cohen called a small difference"
    if size < MEDIUM:
        return "a small difference by Cohen's rough conventions"
    if size < LARGE:
        return "a medium-sized difference by Cohen's rough conventions"
    return "a large difference by Cohen's rough conventions"


def headline_sentence(result, higher_means: str = "") -> str:
    """One sentence for a comparison: what differed, in which direction, how much."""
    if result.withheld:
        return (
            f"{result.measure.name}, {result.title.lower()}: too few responses to compare "
            f"yet ({result.n_compared:,} and {result.n_reference:,}; each group needs at least 10)."
        )
    estimate = result.estimate
    direction = "lower" if estimate < 0 else "higher"
    amount = number(abs(estimate))
    span = interval(result.low, result.high)
    measure = result.measure.name.lower() if result.measure.key == "total" else result.measure.name
    if estimate == 0:
        text = f"The average {measure} was the same in both groups ({span})."
    elif result.contrast.startswith("exposed-vs-unexposed"):
        text = (
            f"People who said they saw the campaign had an average {measure} {amount} points "
            f"{direction} than people who said they did not ({span}; "
            f"{result.n_compared:,} and {result.n_reference:,} responses)."
        )
    elif result.paired:
        text = (
            f"Among the {result.n_pairs:,} survey-panel members who answered both, the average "
            f"{measure} was {amount} points {direction} in “{result.compared_label}” than in "
            f"“{result.reference_label}” ({span})."
        )
    else:
        text = (
            f"The average {measure} was {amount} points {direction} in “{result.compared_label}” "
            f"than in “{result.reference_label}” ({span}; {result.n_compared:,} and "
            f"{result.n_reference:,} responses)."
        )
    if higher_means:
        text += f" Higher scores mean {higher_means}."
    return text


def summarize(analysis) -> list[str]:
    """Paragraphs, most important first."""
    if analysis.n_responses == 0:
        return ["No responses yet."]
    headline = analysis.headline
    if headline is None:
        return [
            f"{analysis.n_responses:,} responses so far, in one wave: a comparison needs a "
            "second wave (or, for exposed vs not exposed, both groups)."
        ]
    paragraphs = [headline_sentence(headline, analysis.higher_means)]
    if headline.withheld:
        return paragraphs
    if headline.interval_excludes_zero:
        paragraphs.append("The interval does not include zero.")
    else:
        paragraphs.append(
            "The interval includes zero: these responses are consistent with no difference."
        )
    effect = headline.effect
    if effect.d == effect.d:  # not NaN
        label = "d_z" if effect.kind == "d_z" else "d"
        paragraphs.append(
            f"In standard-deviation units, Cohen's {label} = {number(effect.d)} "
            f"({interval(effect.d_low, effect.d_high)}), {size_words(effect.d)}."
        )
    if headline.interval_method == "bootstrap_bca":
        paragraphs.append(
            "The scores were skewed and the groups small, so the interval is a bootstrap "
            "(BCa) interval rather than a t interval."
        )
    paragraphs.append(CAVEAT.get(analysis.design, CAVEAT[Design.PRE_POST]))
    if analysis.segments:
        paragraphs.append(
            "Results by audience segment are in the table. They rest on fewer responses, and "
            "with several segments one can differ by chance alone: read them as leads to "
            "follow, not findings. Groups with fewer than 10 responses are not shown."
        )
    return paragraphs
