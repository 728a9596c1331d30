"""Choosing the service to refer to: the directory's search, and how to reach a service
that cannot take closed-loop referrals."""

from django.db.models import Q

from cairn.directory.models import Phone, Service


def find_services(text: str = "", *, limit: int = 15) -> list:
    """Active services matching `text`, through the directory's search; each result is
    (service, phone). Without text, nothing (the page asks for a few words first)."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        from cairn.directory.search import search_services
    except ImportError:  # pragma: no cover - the directory's search not installed
        search_services = None
    if search_services is not None:
        result = search_services(text=text, limit=limit)
        return [(hit.service, hit.phone) for hit in result.hits]
    rows = (
        Service.objects.filter(status="active")
        .filter(Q(name__icontains=text) | Q(provider__name__icontains=text))
        .select_related("provider__partner")
        .order_by("name")[:limit]
    )
    return [(service, "") for service in rows]


def get_service(service_id) -> Service | None:
    try:
        service_id = int(service_id)
    except (TypeError, ValueError):
        return None
    return Service.objects.filter(pk=service_id).select_related("provider__partner").first()


def contact_lines(service: Service) -> list[str]:
    """How to reach the service directly: phones, email, website (from its listing)."""
    lines = []
    where = Q(service=service)
    if service.provider_id:
        where |= Q(provider_id=service.provider_id, service__isnull=True)
    phones = Phone.objects.filter(where)
    for phone in phones.order_by("pk")[:5]:
        label = f" ({phone.description})" if phone.description else ""
        lines.append(f"Phone: {phone.number}{label}")
    if service.email:
        lines.append(f"Email: {service.email}")
    if service.url:
        lines.append(f"Website: {service.url}")
    if service.application_process:
        lines.append(f"How to apply: {service.application_process}")
    return lines or ["No contact details on the listing."]
