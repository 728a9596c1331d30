"""The ranking of high-overdose communities (issue 4, section 4).

Pure statistics, no Django: `empirical_bayes` (Poisson–gamma smoothing toward the
regional mean), `ranks` (rank intervals by simulation), `trend` (rate ratio with its
exact interval), `method` (the plain-language explanation), `plots` (interval SVG).
With Django: `params` (what is asked), `queries` (assembled and scoped to the user),
`exports` (CSV and PDF). docs/ranking.md explains the choices.
"""
