"""schema.org structured data (JSON-LD) for dated pages: meetings and events.

Search engines and calendar tools read a page's `<script type="application/ld+json">`: name, dates with
their offset, status, attendance mode, place and/or online location, organiser, price, seats and the
programme (`subEvent`). One builder serves every dated page type (`dated_item_structured_data`); a page
type adds what it has through optional attributes, read here by duck typing (core knows no app):

- `summary` (the description; else the page's search description),
- `lead_image` (a public image only: shared data never names a private file),
- `is_free` (default: free),
- `structured_offer(request)`: the offer facts of an event that takes registrations (see `offer_data`),
- `programme_sessions()`: timed sessions, each with `title`, `starts`, `ends`, `room`, `speaker_list`,
  `description` (becoming `subEvent`).

The output is made safe for HTML the way Django's `json_script` is (`<`, `>`, `&` escaped as \\u003c…),
so no text typed by an editor can close the script element. A JSON-LD block is a data block, not a
script: browsers never run it, so the site's Content-Security-Policy (no inline script) does not apply
to it and it needs no nonce (a browser test checks that no CSP violation is reported).
"""

import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from wagtail.images.models import SourceImageIOError
from wagtail.models import Site

from .dated import ItemFormat
from .visibility import attach_councils, private_collection_ids

SCHEMA = "https://schema.org"
#: The image size shared with search engines and social networks (Open Graph's recommended 1.91:1).
SHARE_IMAGE_FILTER = "fill-1200x630"

STATUS_SCHEDULED = f"{SCHEMA}/EventScheduled"
STATUS_CANCELLED = f"{SCHEMA}/EventCancelled"
ATTENDANCE = {
    ItemFormat.IN_PERSON: f"{SCHEMA}/OfflineEventAttendanceMode",
    ItemFormat.ONLINE: f"{SCHEMA}/OnlineEventAttendanceMode",
    ItemFormat.HYBRID: f"{SCHEMA}/MixedEventAttendanceMode",
}
IN_STOCK = f"{SCHEMA}/InStock"
LIMITED = f"{SCHEMA}/LimitedAvailability"
SOLD_OUT = f"{SCHEMA}/SoldOut"
DISCONTINUED = f"{SCHEMA}/Discontinued"
#: What Django's `json_script` escapes: no text in the data can close the element or open a comment.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
#: Below this share of free seats, an offer reads "limited availability".
LIMITED_SHARE = Decimal("0.1")


def schema_datetime(value):
    """An ISO 8601 instant in the city's time zone, with its offset: 2026-03-29T10:00:00+02:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def schema_price(value):
    """A price as schema.org wants it: a dot, two decimals, no currency sign ("12.00")."""
    return f"{Decimal(value or 0):.2f}"


def json_ld(data):
    """The data as a `<script type="application/ld+json">` element, safe inside HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    safe = mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 - escaped like json_script
    return format_html('<script type="application/ld+json">{}</script>', safe)


# -- Parts --------------------------------------------------------------------------------------------------


def place_data(*, name, address=""):
    place = {"@type": "Place", "name": name}
    if address:
        place["address"] = {"@type": "PostalAddress", "streetAddress": address}
    return place


def location_data(item, *, request):
    """Place and/or VirtualLocation. The online link is shared only while the page invites people to join
    (as on the page itself); after that, or once cancelled, the virtual location is the page."""
    locations = []
    if item.is_in_person and (item.place_name or item.place_address):
        locations.append(place_data(name=item.place_name or item.place_address, address=item.place_address))
    if item.is_online:
        url = item.online_url if (item.online_url and item.invites) else item.get_full_url(request)
        locations.append({"@type": "VirtualLocation", "url": url})
    if not locations:
        return None
    return locations[0] if len(locations) == 1 else locations


def public_image(image, request=None):
    """The image if anyone may see it (its collection is under no view restriction), else None."""
    if image is None or image.collection_id in private_collection_ids(request):
        return None
    return image


def share_image_rendition(image, request=None):
    """The rendition shared with search engines and social networks, or None for a private image."""
    image = public_image(image, request)
    if image is None:
        return None
    try:
        return image.get_rendition(SHARE_IMAGE_FILTER)
    except SourceImageIOError:
        return None  # the original file is missing: share no image rather than fail the page


def absolute_url(url, request=None):
    if request is not None and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


def organizer_data(item, *, request, site_name):
    """The council holding the item, or the city's site for the city's own items."""
    if not hasattr(item, "council"):
        attach_councils([item])
    council = item.council
    if council is not None:
        return {"@type": "Organization", "name": council.title, "url": council.get_full_url(request)}
    site = Site.find_for_request(request) if request is not None else None
    url = f"{site.root_url}/" if site is not None else "/"
    return {"@type": "Organization", "name": site_name, "url": url}


def offer_availability(*, state, seats_free=None, capacity=None):
    """schema.org availability from where registration stands and the seats left.

    `state`: "open", "not_open" (sold later: in stock, with `validFrom`), "closed", "cancelled" or
    "external" (another site sells it: in stock as far as we know)."""
    if state in ("closed", "cancelled", "unavailable"):
        return DISCONTINUED
    if seats_free is not None and seats_free <= 0:
        return SOLD_OUT
    if seats_free is not None and capacity and Decimal(seats_free) / Decimal(capacity) <= LIMITED_SHARE:
        return LIMITED
    return IN_STOCK


def offer_data(*, price, url, state, seats_free=None, capacity=None, valid_from=None):
    offer = {
        "@type": "Offer",
        "price": schema_price(price),
        "priceCurrency": "EUR",
        "availability": offer_availability(state=state, seats_free=seats_free, capacity=capacity),
        "url": url,
    }
    if valid_from is not None:
        offer["validFrom"] = schema_datetime(valid_from)
    return offer


def sub_event_data(session, *, item, request):
    data = {"@type": "Event", "name": session.title, "startDate": schema_datetime(session.starts)}
    if session.ends is not None:
        data["endDate"] = schema_datetime(session.ends)
    data["eventStatus"] = STATUS_CANCELLED if item.is_cancelled else STATUS_SCHEDULED
    data["eventAttendanceMode"] = ATTENDANCE.get(item.format, ATTENDANCE[ItemFormat.IN_PERSON])
    if item.is_in_person:
        name = session.room or item.place_name
        if session.room and item.place_name:
            name = f"{session.room}, {item.place_name}"
        if name:
            data["location"] = place_data(name=name, address=item.place_address)
    elif item.is_online:
        data["location"] = location_data(item, request=request)
    if session.speaker_list:
        data["performer"] = [{"@type": "Person", "name": name} for name in session.speaker_list]
    if session.description:
        data["description"] = session.description
    return data


# -- The builder --------------------------------------------------------------------------------------------


def dated_item_structured_data(item, *, request, site_name=""):
    """A schema.org Event for a meeting or an event (a `core.dated.DatedPage`), as a dict."""
    url = item.get_full_url(request)
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": item.title,
        "startDate": schema_datetime(item.start),
        "endDate": schema_datetime(item.end),
        "eventStatus": STATUS_CANCELLED if item.is_cancelled else STATUS_SCHEDULED,
        "eventAttendanceMode": ATTENDANCE.get(item.format, ATTENDANCE[ItemFormat.IN_PERSON]),
        "url": url,
        "inLanguage": "fr",
    }
    location = location_data(item, request=request)
    if location is not None:
        data["location"] = location
    description = (getattr(item, "summary", "") or item.search_description or "").strip()
    if description:
        data["description"] = description
    rendition = share_image_rendition(getattr(item, "lead_image", None), request)
    if rendition is not None:
        data["image"] = [absolute_url(rendition.url, request)]
    data["organizer"] = organizer_data(item, request=request, site_name=site_name)
    data["isAccessibleForFree"] = bool(getattr(item, "is_free", True))
    offer = getattr(item, "structured_offer", None)
    if offer is not None and (facts := offer(request)) is not None:
        data["offers"] = offer_data(**facts)
    programme = getattr(item, "programme_sessions", None)
    if programme is not None and (sessions := programme()):
        data["subEvent"] = [sub_event_data(session, item=item, request=request) for session in sessions]
    return data
