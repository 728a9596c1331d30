"""CSV upload and the quarantine, for public-health intake managers (MANAGE_INTAKE).

Raw quarantined input can identify a person: the detail page reads it through
`get_quarantined_for_user`, which audits the reading.
"""

import yaml
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.access.roles import Permission
from cairn.surveillance import quarantine
from cairn.surveillance.intake.csv_import import (
    CsvFileError,
    MappingError,
    import_csv,
    load_mapping,
    shipped_mappings,
)
from cairn.surveillance.models import IntakeFormat, QuarantinedRecord, QuarantineStatus
from cairn.web.decorators import require_permission

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_MAPPING_BYTES = 100 * 1024


def _mapping_choices():
    """Each shipped mapping by its description ("Emergency-department visits line
    list ..."), the words public health uses, rather than its file name."""
    return [("", "Upload my own mapping below")] + [
        (name, yaml.safe_load(path.read_text()).get("description") or name)
        for name, path in shipped_mappings().items()
    ]


class CsvImportForm(forms.Form):
    csv_file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row.")
    mapping = forms.ChoiceField(label="Column mapping", required=False, choices=())
    mapping_file = forms.FileField(
        label="Or your own mapping (YAML)",
        required=False,
        help_text="See docs/intake-csv.md for how to write one.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = _mapping_choices()

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 200 MB: split it, or use the command line."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        name, upload = cleaned.get("mapping"), cleaned.get("mapping_file")
        if upload:
            if upload.size > MAX_MAPPING_BYTES:
                self.add_error("mapping_file", "A mapping is a short YAML file (under 100 kB).")
                return cleaned
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("mapping_file", "The mapping is not UTF-8 text.")
                return cleaned
        elif name:
            text = shipped_mappings()[name].read_text(encoding="utf-8")
        else:
            self.add_error("mapping", "Choose a mapping, or upload your own.")
            return cleaned
        try:
            cleaned["loaded_mapping"] = load_mapping(text)
        except MappingError as error:
            self.add_error("mapping_file" if upload else "mapping", str(error))
        return cleaned


@require_permission(Permission.MANAGE_INTAKE)
def csv_import_page(request):
    summary = None
    error = ""
    if request.method == "POST":
        form = CsvImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["csv_file"]
            try:
                summary = import_csv(
                    upload.read(),
                    mapping=form.cleaned_data["loaded_mapping"],
                    name=upload.name[:100],
                    actor=request.user,
                )
            except CsvFileError as problem:
                error = f"{upload.name}: {problem} Nothing was imported."
    else:
        form = CsvImportForm()
    return render(
        request,
        "surveillance/intake/csv_import.html",
        {"form": form, "summary": summary, "error": error},
    )


@require_permission(Permission.MANAGE_INTAKE)
def quarantine_list(request):
    formats = {choice.value for choice in IntakeFormat}
    statuses = {choice.value for choice in QuarantineStatus}
    chosen_format = request.GET.get("format", "")
    chosen_status = request.GET.get("status", QuarantineStatus.OPEN)
    chosen_format = chosen_format if chosen_format in formats else ""
    chosen_status = chosen_status if chosen_status in statuses or chosen_status == "all" else ""
    records = quarantine.quarantine_visible_to(
        request.user,
        format=chosen_format,
        status="" if chosen_status == "all" else chosen_status,
    )
    ids = request.GET.get("ids", "")
    if ids:
        wanted = [int(part) for part in ids.split(",") if part.isdigit()][:1000]
        records = records.filter(pk__in=wanted)
    return render(
        request,
        "surveillance/intake/quarantine_list.html",
        {
            "records": records[:500],
            "total": records.count(),
            "formats": IntakeFormat.choices,
            "statuses": [*QuarantineStatus.choices, ("all", "All")],
            "chosen_format": chosen_format,
            "chosen_status": chosen_status,
            "open_counts": quarantine.open_counts_by_format(request.user),
        },
    )


def _get(request, pk: int) -> QuarantinedRecord:
    try:
        return quarantine.get_quarantined_for_user(request.user, pk)
    except QuarantinedRecord.DoesNotExist:
        raise Http404("No quarantined record with this number.") from None


@require_permission(Permission.MANAGE_INTAKE)
def quarantine_detail(request, pk: int):
    record = _get(request, pk)
    return render(
        request,
        "surveillance/intake/quarantine_detail.html",
        {"record": record, "corrected": record.context.get("last_attempt", record.raw)},
    )


@require_POST
@require_permission(Permission.MANAGE_INTAKE)
def quarantine_reprocess(request, pk: int):
    if not QuarantinedRecord.objects.filter(pk=pk).exists():
        raise Http404("No quarantined record with this number.")
    raw = request.POST.get("raw", "")
    if len(raw) > 1_000_000:
        messages.error(request, "The corrected text is longer than one million characters.")
        return redirect("quarantine:detail", pk=pk)
    result = quarantine.reprocess_quarantined(user=request.user, pk=pk, raw=raw)
    if result.accepted:
        messages.success(
            request, f"Re-processed: event {result.event_id} ({result.status}). It left quarantine."
        )
        return redirect(reverse("quarantine:list"))
    where = f"{result.location}: " if result.location else ""
    messages.error(request, f"Still not accepted. {where}{result.reason}")
    return redirect("quarantine:detail", pk=pk)


@require_POST
@require_permission(Permission.MANAGE_INTAKE)
def quarantine_discard(request, pk: int):
    if not QuarantinedRecord.objects.filter(pk=pk).exists():
        raise Http404("No quarantined record with this number.")
    try:
        quarantine.discard_quarantined(
            user=request.user, pk=pk, reason=request.POST.get("reason", "")
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("quarantine:detail", pk=pk)
    messages.success(request, "Discarded, with your reason kept in the audit log.")
    return redirect("quarantine:list")
