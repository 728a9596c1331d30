"""Pages for case definitions (read, edit, re-classification progress) and an event's page.

Every member may read the definitions: they are published public-health rules, not
data about anyone. Editing needs MANAGE_CASE_DEFINITIONS. An event's page is
line-list data: the view checks the tier and the event's community.
"""

import difflib
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.surveillance.classification.actions import InvalidRules, save_definition_version
from cairn.surveillance.classification.engine import validate_rules
from cairn.surveillance.models import (
    CaseDefinition,
    Event,
    EventMatch,
    JobStatus,
    ReclassificationJob,
)
from cairn.web.decorators import require_permission


def rules_text(rules: dict) -> str:
    return json.dumps(rules, indent=2, ensure_ascii=False)


def readable_rules(rules: dict) -> list[tuple[str, str]]:
    """The rules as (heading, sentence) pairs for people, not parsers."""
    out = []
    codes = rules.get("codes", {})
    cc = rules.get("chief_complaint", {})
    if codes.get("poisoning"):
        limits = []
        if codes.get("intent"):
            limits.append("intent character " + " or ".join(codes["intent"]))
        if codes.get("encounter"):
            limits.append("encounter " + " or ".join(codes["encounter"]) + " (when coded)")
        suffix = f" — ICD-10-CM codes only with {', '.join(limits)}" if limits else ""
        out.append(("Included by poisoning code", ", ".join(codes["poisoning"]) + suffix))
    if codes.get("other"):
        out.append(("Included by code (any extension)", ", ".join(codes["other"])))
    if cc.get("sufficient"):
        out.append(("Included when the chief complaint says", ", ".join(cc["sufficient"])))
    for number, group in enumerate(cc.get("all_of", []), 1):
        heading = "Chief complaint holds a term from" if number == 1 else "… and a term from"
        out.append((heading, ", ".join(group)))
    if cc.get("exclude"):
        out.append(
            ("Excluded (chief complaint only, when no code matched)", ", ".join(cc["exclude"]))
        )
    return out


def version_diff(older, newer) -> str:
    before = rules_text(older.rules).splitlines() if older else []
    after = rules_text(newer.rules).splitlines()
    return "\n".join(
        difflib.unified_diff(
            before,
            after,
            fromfile=f"version {older.version}" if older else "(none)",
            tofile=f"version {newer.version}",
            lineterm="",
        )
    )


@require_permission(Permission.VIEW_DASHBOARD)
def definition_list(request):
    definitions = CaseDefinition.objects.all()
    job = ReclassificationJob.objects.first()
    return render(
        request,
        "surveillance/definitions/list.html",
        {
            "definitions": definitions,
            "job": job,
            "job_polling": job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            "may_edit": has_permission(request.user, Permission.MANAGE_CASE_DEFINITIONS),
        },
    )


@require_permission(Permission.VIEW_DASHBOARD)
def definition_detail(request, slug):
    definition = get_object_or_404(CaseDefinition, slug=slug)
    versions = list(definition.versions.order_by("-version"))
    current = next((v for v in versions if v.version == definition.current_version), None)
    try:
        shown_number = int(request.GET.get("version", definition.current_version))
    except ValueError:
        shown_number = definition.current_version
    shown = next((v for v in versions if v.version == shown_number), current)
    previous = next((v for v in versions if shown and v.version == shown.version - 1), None)
    return render(
        request,
        "surveillance/definitions/detail.html",
        {
            "definition": definition,
            "versions": versions,
            "current": current,
            "shown": shown,
            "readable": readable_rules(shown.rules) if shown else [],
            "diff": version_diff(previous, shown) if shown and previous else "",
            "previous": previous,
            "may_edit": has_permission(request.user, Permission.MANAGE_CASE_DEFINITIONS),
        },
    )


class DefinitionForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    active = forms.BooleanField(required=False, help_text="Inactive definitions classify nothing.")
    rules = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text="JSON: codes (poisoning, intent, encounter, other) and chief_complaint "
        "(sufficient, all_of, exclude). A term ending in * matches word beginnings.",
    )
    note = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What changed and why; kept with the version and in the audit log.",
    )

    def clean_rules(self) -> dict:
        text = self.cleaned_data["rules"]
        try:
            rules = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
            ) from None
        problems = validate_rules(rules)
        if problems:
            raise forms.ValidationError(problems)
        return rules


@require_permission(Permission.MANAGE_CASE_DEFINITIONS)
def definition_edit(request, slug):
    definition = get_object_or_404(CaseDefinition, slug=slug)
    current = definition.current()
    if request.method == "POST":
        form = DefinitionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = save_definition_version(
                    actor=request.user,
                    definition=definition,
                    rules=data["rules"],
                    note=data["note"],
                    name=data["name"],
                    description=data["description"],
                    active=data["active"],
                )
            except InvalidRules as error:  # validated above; kept for races with the form
                form.add_error("rules", error.problems)
            else:
                messages.success(
                    request,
                    f"Saved version {version.version} of {definition.name}. Every stored event "
                    "is being re-classified.",
                )
                return redirect("definitions:definition_list")
    else:
        form = DefinitionForm(
            initial={
                "name": definition.name,
                "description": definition.description,
                "active": definition.active,
                "rules": rules_text(current.rules),
            }
        )
    return render(
        request,
        "surveillance/definitions/edit.html",
        {"definition": definition, "current": current, "form": form},
    )


@require_permission(Permission.VIEW_DASHBOARD)
def reclassification_progress(request, job_id):
    job = get_object_or_404(ReclassificationJob, pk=job_id)
    response = render(
        request,
        "surveillance/definitions/_job.htmx.html",
        {"job": job, "polling": job.status in (JobStatus.QUEUED, JobStatus.RUNNING)},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def get_event_for_user(user, event_id: int) -> Event:
    """The choke point for one event's line-list view: tier and community checked."""
    event = Event.objects.select_related("community").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    if not has_permission(user, Permission.VIEW_LINE_LIST, event):
        raise PermissionDenied("Your roles do not give line-list access to this event's place.")
    return event


@require_permission(Permission.VIEW_LINE_LIST)
def event_detail(request, event_id):
    event = get_event_for_user(request.user, event_id)
    matches = (
        EventMatch.objects.filter(event=event)
        .select_related("definition")
        .order_by("definition__position", "definition__slug")
    )
    return render(
        request,
        "surveillance/event_detail.html",
        {"event": event, "matches": matches},
    )
