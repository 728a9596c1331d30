"""Evaluation of campaigns: statistics, survey analysis, plain-language summary, reach."""
