"""Public views of a proposals page: the list, the form, a proposal with its ballot and results, the vote.

Reached only through `ProposalIndexPage`'s routes, after Wagtail's view restriction check (members of the
council or working group, its editors, the communications team). Every answer depends on who asks:
`Cache-Control: private`.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from django_ratelimit.core import is_ratelimited

from core.middleware import mark_private
from core.typography import french_date, french_time

from . import services
from .forms import ProposalForm, VoteForm
from .models import Proposal, VoteChoice

#: Proposals one person may submit (POSTs of the form, counted per account).
RATE_PROPOSALS = getattr(settings, "PARVIS_PROPOSAL_RATE", "10/h")


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _private(request, response):
    mark_private(request)
    patch_cache_control(response, private=True)
    return response


def _render(request, page, template, context, status=200):
    context = {"page": page, "self": page, **context}
    return _private(request, TemplateResponse(request, template, context, status=status))


def _detail_url(page, proposal_id, request):
    return (page.get_url(request) or "") + page.reverse_subpage("detail", args=[proposal_id])


def _user_key(group, request):
    return str(request.user.pk) if request.user.is_authenticated else "anonymous"


def proposal_list(request, page):
    groups, manager = services.proposals_for_index(index=page, user=request.user)
    return _render(
        request,
        page,
        "participation/proposal_index_page.html",
        {
            "groups": groups,
            "can_manage": manager,
            "can_propose": services.can_propose(index=page, user=request.user),
            "any_proposal": any(groups.values()),
        },
    )


def proposal_new(request, page):
    allowed = services.can_propose(index=page, user=request.user)
    form = ProposalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not allowed:
            status = 403
        elif is_ratelimited(
            request, group="participation.propose", key=_user_key, rate=RATE_PROPOSALS, increment=True
        ):
            form.is_valid()
            form.add_error(
                None, _("You have submitted many proposals in a short time. Try again in an hour.")
            )
            status = 429
        elif form.is_valid():
            try:
                proposal = services.proposal_submit(
                    index=page,
                    author=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, errors in error.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your proposal was recorded. The council's editors will put it to the vote."),
                )
                return _private(request, HttpResponseSeeOther(_detail_url(page, proposal.pk, request)))
        if form.errors and status == 200:
            status = 400
    return _render(
        request,
        page,
        "participation/proposal_form.html",
        {"form": form, "can_propose": allowed},
        status=status,
    )


def _proposal_or_404(request, page, proposal_id):
    proposal = (
        Proposal.objects.filter(index=page, pk=proposal_id)
        .select_related("council", "author", "meeting")
        .first()
    )
    if proposal is None:
        raise Http404
    if proposal.is_hidden and not services.can_manage(council=proposal.council, user=request.user):
        raise Http404
    return proposal


def proposal_detail(request, page, proposal_id, *, form=None, status=200):
    proposal = _proposal_or_404(request, page, proposal_id)
    now = timezone.now()
    proposal.status = services.proposal_status(proposal, now)
    mine = services.my_vote(proposal=proposal, user=request.user)
    eligible = services.eligible_memberships(proposal=proposal).filter(user_id=request.user.pk).exists()
    if form is None:
        form = VoteForm(initial={"choice": mine.choice if mine else None})
    results = None
    if services.results_visible(proposal=proposal, now=now):
        results = services.proposal_results(proposal=proposal, now=now)
    return _render(
        request,
        page,
        "participation/proposal_detail.html",
        {
            "proposal": proposal,
            "my_vote": mine,
            "my_vote_label": VoteChoice(mine.choice).label if mine else "",
            "eligible": eligible,
            "form": form,
            "results": results,
            "can_manage": services.can_manage(council=proposal.council, user=request.user),
        },
        status=status,
    )


def proposal_vote(request, page, proposal_id):
    if request.method != "POST":
        return _private(request, HttpResponseNotAllowed(["POST"]))
    proposal = _proposal_or_404(request, page, proposal_id)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return proposal_detail(request, page, proposal_id, form=form, status=400)
    try:
        vote = services.vote_cast(proposal=proposal, voter=request.user, choice=form.cleaned_data["choice"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        closes = timezone.localtime(proposal.vote_closes_at)
        messages.success(
            request,
            _("Your vote was recorded: %(choice)s. You can change it until %(date)s at %(time)s.")
            % {
                "choice": VoteChoice(vote.choice).label,
                "date": french_date(closes, "l j F Y"),
                "time": french_time(closes),
            },
        )
    return _private(request, HttpResponseSeeOther(_detail_url(page, proposal.pk, request) + "#vote"))
