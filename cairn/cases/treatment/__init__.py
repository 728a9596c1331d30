"""Opioid agonist treatment (OAT): rules, episodes, records, CSV import, alerts, cascade.

Plain functions that the pages (`cairn.cases.views.treatment`), the API
(`cairn.api.cases.treatment`) and the command (`cairn treatment check`) all call.
See docs/cases-treatment.md.
"""
