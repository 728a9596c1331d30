"""Load a jurisdiction's hierarchy, boundaries and populations from files.

The file formats (documented in docs/geography.md) are those of the BC files
shipped in cairn/geography/data/bc/:

- hierarchy CSV: `lha_name,hsda_name,health_authority` (community, HSDA, health authority);
- boundaries GeoJSON: a FeatureCollection whose features carry the community name in
  `LHA_NAME` (EPSG:4326 Polygon or MultiPolygon);
- populations CSV, either wide (`lha_name,pop_2015,pop_2016,...`) or long
  (`lha_name,year,sex,age_band,population`; sex and age_band optional).

Loading is idempotent: running it again updates names, boundaries and populations in place.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from shapely.geometry import mapping, shape

from cairn.geography.models import ALL_AGES, Jurisdiction, Level, Population, PostalArea, Sex

BC_DATA_DIR = Path(__file__).resolve().parent / "data" / "bc"
BC_FILES = {
    "hierarchy": BC_DATA_DIR / "bc_lha_2018_hierarchy.csv",
    "boundaries": BC_DATA_DIR / "bc_lha_2018_boundaries_simplified.geojson",
    "populations": BC_DATA_DIR / "bc_lha_population_derived_2015_2022.csv",
    "postal_areas": BC_DATA_DIR / "bc_fsa_to_lha_approximate.csv",
}
BC_POPULATION_SOURCE = "Derived from BC Coroners Service / BCCDC LHA death rates (approximate)"


class GeographyFileError(ValueError):
    """A geography file is malformed; the message names the file, row and column."""


@dataclass
class LoadReport:
    jurisdictions_created: int = 0
    jurisdictions_updated: int = 0
    boundaries: int = 0
    populations: int = 0
    postal_areas: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.jurisdictions_created} jurisdictions created, "
            f"{self.jurisdictions_updated} updated, {self.boundaries} boundaries, "
            f"{self.populations} population figures, {self.postal_areas} postal areas, "
            f"{len(self.warnings)} warnings"
        )


def _code(*parts: str) -> str:
    return "-".join(slugify(p.replace("/", " ")) for p in parts)


def _read_csv(path: Path, required: list[str]) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise GeographyFileError(
                    f"{path.name}: missing column(s) {', '.join(missing)}; "
                    f"found {', '.join(reader.fieldnames or [])}"
                )
            return list(reader)
    except FileNotFoundError as error:
        raise GeographyFileError(f"{path}: file not found") from error
    except UnicodeDecodeError as error:
        raise GeographyFileError(f"{path.name}: not UTF-8 text ({error.reason})") from error


def _upsert(report: LoadReport, *, code: str, name: str, level: str, parent: Jurisdiction | None):
    path = f"{parent.path}/{code}" if parent else code
    obj, created = Jurisdiction.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "path": path}
    )
    if created:
        report.jurisdictions_created += 1
    else:
        report.jurisdictions_updated += 1
    return obj


def _set_boundary(jurisdiction: Jurisdiction, geometry: dict) -> None:
    """Store a boundary, repairing self-intersections that simplification leaves behind."""
    geom = shape(geometry)
    if geom.is_empty:
        raise ValueError("the geometry is empty")
    if not geom.is_valid:
        geom = geom.buffer(0)
        if geom.geom_type not in {"Polygon", "MultiPolygon"} or geom.is_empty:
            raise ValueError("the geometry is invalid and could not be repaired")
        geometry = mapping(geom)
    jurisdiction.boundary = geometry
    jurisdiction.min_lon, jurisdiction.min_lat, jurisdiction.max_lon, jurisdiction.max_lat = (
        geom.bounds
    )
    jurisdiction.save(update_fields=["boundary", "min_lon", "min_lat", "max_lon", "max_lat"])


def _parse_population_rows(path: Path, rows: list[dict[str, str]]) -> list[tuple]:
    """(name, year, sex, age_band, population) tuples from a wide or long file."""
    if not rows:
        return []
    columns = rows[0].keys()
    out = []
    if "year" in columns and "population" in columns:
        for line, row in enumerate(rows, start=2):
            for column in ("year", "population"):
                try:
                    int(float(row[column] or ""))
                except ValueError as error:
                    raise GeographyFileError(
                        f"{path.name} line {line}, column {column}: {row[column]!r} is not a number"
                    ) from error
            year, value = int(row["year"]), int(float(row["population"]))
            if value < 0:
                raise GeographyFileError(
                    f"{path.name} line {line}, column population: population cannot be negative"
                )
            sex = (row.get("sex") or Sex.ALL).strip().lower()
            if sex not in Sex.values:
                raise GeographyFileError(
                    f"{path.name} line {line}, column sex: {sex!r} is not one of {Sex.values}"
                )
            out.append(
                (row["lha_name"], year, sex, (row.get("age_band") or ALL_AGES).strip(), value)
            )
        return out
    year_columns = [c for c in columns if re.fullmatch(r"pop_\d{4}", c)]
    if not year_columns:
        raise GeographyFileError(
            f"{path.name}: expected pop_YYYY columns (wide) or year,population columns (long)"
        )
    for line, row in enumerate(rows, start=2):
        for column in year_columns:
            raw = (row.get(column) or "").strip()
            if not raw:
                continue
            try:
                value = int(float(raw))
            except ValueError as error:
                raise GeographyFileError(
                    f"{path.name} line {line}, column {column}: {raw!r} is not a number"
                ) from error
            if value < 0:
                raise GeographyFileError(
                    f"{path.name} line {line}, column {column}: population cannot be negative"
                )
            out.append((row["lha_name"], int(column[4:]), Sex.ALL, ALL_AGES, value))
    return out


@transaction.atomic
def load_jurisdiction(
    *,
    name: str,
    code: str,
    hierarchy_path: Path,
    boundaries_path: Path | None = None,
    populations_path: Path | None = None,
    population_source: str = "",
    populations_are_estimates: bool = True,
) -> LoadReport:
    """Create or update a province/state and everything below it."""
    report = LoadReport()
    hierarchy = _read_csv(hierarchy_path, ["lha_name", "hsda_name", "health_authority"])
    root = _upsert(report, code=code, name=name, level=Level.PROVINCE, parent=None)
    communities: dict[str, Jurisdiction] = {}
    authorities: dict[str, Jurisdiction] = {}
    areas: dict[tuple[str, str], Jurisdiction] = {}
    for line, row in enumerate(hierarchy, start=2):
        community_name, area_name, authority_name = (
            (row["lha_name"] or "").strip(),
            (row["hsda_name"] or "").strip(),
            (row["health_authority"] or "").strip(),
        )
        if not (community_name and area_name and authority_name):
            raise GeographyFileError(
                f"{hierarchy_path.name} line {line}: needs lha_name, hsda_name and "
                "health_authority; a cell is empty or missing"
            )
        if authority_name not in authorities:
            authorities[authority_name] = _upsert(
                report,
                code=_code(code, "ha", authority_name),
                name=authority_name,
                level=Level.HEALTH_AUTHORITY,
                parent=root,
            )
        key = (authority_name, area_name)
        if key not in areas:
            areas[key] = _upsert(
                report,
                code=_code(code, "hsda", area_name),
                name=area_name,
                level=Level.HSDA,
                parent=authorities[authority_name],
            )
        communities[community_name] = _upsert(
            report,
            code=_code(code, "lha", community_name),
            name=community_name,
            level=Level.COMMUNITY,
            parent=areas[key],
        )

    if boundaries_path is not None:
        _load_boundaries(report, boundaries_path, communities)
    if populations_path is not None:
        _load_populations(
            report,
            populations_path,
            communities,
            source=population_source,
            is_estimate=populations_are_estimates,
        )
    return report


def _load_boundaries(report: LoadReport, path: Path, communities: dict[str, Jurisdiction]):
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise GeographyFileError(f"{path}: file not found") from error
    except json.JSONDecodeError as error:
        raise GeographyFileError(
            f"{path.name}: not valid JSON (line {error.lineno}, column {error.colno})"
        ) from error
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise GeographyFileError(f"{path.name}: expected a GeoJSON FeatureCollection")
    for index, feature in enumerate(collection.get("features") or []):
        if not isinstance(feature, dict):
            raise GeographyFileError(f"{path.name} feature {index}: not a GeoJSON Feature object")
        feature_name = (feature.get("properties") or {}).get("LHA_NAME")
        if feature_name not in communities:
            report.warnings.append(
                f"{path.name} feature {index}: LHA_NAME {feature_name!r} is not in the hierarchy"
            )
            continue
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            raise GeographyFileError(
                f"{path.name} feature {index} ({feature_name}): geometry must be a Polygon "
                f"or MultiPolygon, not {geometry.get('type')!r}"
            )
        try:
            _set_boundary(communities[feature_name], geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            raise GeographyFileError(
                f"{path.name} feature {index} ({feature_name}): invalid geometry ({error})"
            ) from error
        report.boundaries += 1


def _load_populations(
    report: LoadReport,
    path: Path,
    communities: dict[str, Jurisdiction],
    *,
    source: str,
    is_estimate: bool,
):
    rows = _read_csv(path, ["lha_name"])
    figures = _with_all_ages_totals(_parse_population_rows(path, rows))
    named = {row["lha_name"] for row in rows}
    for unknown in sorted(named - set(communities)):
        report.warnings.append(f"{path.name}: {unknown!r} is not in the hierarchy; skipped")
    totals: dict[tuple[int, int, str, str], int] = {}
    contributors: dict[tuple[int, int, str, str], int] = {}
    for community_name, year, sex, age_band, value in figures:
        community = communities.get(community_name)
        if community is None:
            continue
        _save_population(community, year, sex, age_band, value, source, is_estimate)
        report.populations += 1
        ancestor = community.parent
        while ancestor is not None:
            key = (ancestor.pk, year, sex, age_band)
            totals[key] = totals.get(key, 0) + value
            contributors[key] = contributors.get(key, 0) + 1
            ancestor = ancestor.parent
    by_pk = {j.pk: j for j in Jurisdiction.objects.filter(pk__in={k[0] for k in totals})}
    community_counts = {
        pk: Jurisdiction.objects.filter(
            path__startswith=j.path + "/", level=Level.COMMUNITY
        ).count()
        for pk, j in by_pk.items()
    }
    for key, value in totals.items():
        pk, year, sex, age_band = key
        counted, expected = contributors[key], community_counts[pk]
        coverage = (
            "Sum of its communities."
            if counted == expected
            else f"Partial: sum of the {counted} of its {expected} communities with a figure."
        )
        _save_population(by_pk[pk], year, sex, age_band, value, f"{coverage} {source}", True)
        report.populations += 1


def _with_all_ages_totals(figures: list[tuple]) -> list[tuple]:
    """Add an all-sexes, all-ages figure where a file gives only a breakdown.

    Uses the finest breakdown present (sex × age band, else sex, else age band) so
    nothing is counted twice.
    """
    have_total = {(n, y) for n, y, sex, age, _ in figures if sex == Sex.ALL and age == ALL_AGES}
    sums: dict[tuple[str, int], dict[str, int]] = {}
    for name, year, sex, age_band, value in figures:
        if (name, year) in have_total:
            continue
        kind = (
            "sex_age"
            if sex != Sex.ALL and age_band != ALL_AGES
            else "sex"
            if sex != Sex.ALL
            else "age"
        )
        bucket = sums.setdefault((name, year), {})
        bucket[kind] = bucket.get(kind, 0) + value
    added = [
        (
            name,
            year,
            Sex.ALL,
            ALL_AGES,
            next(kinds[k] for k in ("sex_age", "sex", "age") if k in kinds),
        )
        for (name, year), kinds in sums.items()
    ]
    return figures + added


def _save_population(jurisdiction, year, sex, age_band, value, source, is_estimate):
    Population.objects.update_or_create(
        jurisdiction=jurisdiction,
        year=year,
        sex=sex,
        age_band=age_band,
        defaults={"population": value, "source": source[:300], "is_estimate": is_estimate},
    )


@transaction.atomic
def load_postal_areas(*, path: Path, jurisdiction_code: str, source: str = "") -> LoadReport:
    """Place postal-code prefixes (CSV `prefix,lha_name`) in the jurisdiction's communities."""
    from cairn.geography.placement import forget_cached_geography, normalise_postal_code

    report = LoadReport()
    root = Jurisdiction.objects.filter(code=jurisdiction_code).first()
    if root is None:
        raise GeographyFileError(f"no jurisdiction has the code {jurisdiction_code!r}")
    communities = {
        j.name: j
        for j in Jurisdiction.objects.filter(
            path__startswith=root.path + "/", level=Level.COMMUNITY
        ).only("id", "name")
    }
    for line, row in enumerate(_read_csv(path, ["prefix", "lha_name"]), start=2):
        prefix = normalise_postal_code(row["prefix"] or "")
        if not 3 <= len(prefix) <= 5:
            raise GeographyFileError(
                f"{path.name} line {line}, column prefix: {row['prefix']!r} is not a postal "
                "prefix (FSA of 3 characters or ZIP of 3 to 5 digits)"
            )
        community = communities.get((row["lha_name"] or "").strip())
        if community is None:
            raise GeographyFileError(
                f"{path.name} line {line}, column lha_name: {row['lha_name']!r} is not a "
                f"community of {root.name}"
            )
        PostalArea.objects.update_or_create(
            prefix=prefix, defaults={"community": community, "source": source[:300]}
        )
        report.postal_areas += 1
    transaction.on_commit(forget_cached_geography)
    return report


def load_british_columbia() -> LoadReport:
    """Load the 89 BC Local Health Areas shipped with Cairn, and its postal areas."""
    report = load_jurisdiction(
        name="British Columbia",
        code="bc",
        hierarchy_path=BC_FILES["hierarchy"],
        boundaries_path=BC_FILES["boundaries"],
        populations_path=BC_FILES["populations"],
        population_source=BC_POPULATION_SOURCE,
    )
    report.postal_areas = load_postal_areas(
        path=BC_FILES["postal_areas"],
        jurisdiction_code="bc",
        source="Approximate FSA → LHA mapping compiled by Cairn (see data/bc/README.md)",
    ).postal_areas
    return report
