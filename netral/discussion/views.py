"""Phone, projector board and moderation pages of the live discussion."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.core.permissions import get_managed_event, organiser_required
from netral.events.models import Event, Session
from netral.events.selectors import can_manage_event
from netral.events.urlbuild import absolute
from netral.events.views.public import _visible_event, participant_or_redirect

from . import selectors, services
from .models import MAX_QUESTION_LENGTH, Question

MINE_SALT = "netral.discussion.mine"


def _my_question_ids(request, event) -> list[int]:
    """In a fully anonymous event the phone, not the database, remembers its questions."""
    try:
        return signing.loads(request.COOKIES.get(f"nq_{event.pk}", ""), salt=MINE_SALT, max_age=86400 * 30)
    except signing.BadSignature:
        return []


def _phone_context(request, event, participant, session, form_error=None, text=""):
    conf = services.settings_for(event)
    order = "time" if request.GET.get("urut") == "waktu" else "votes"
    sessions = list(event.sessions.prefetch_related("speakers").order_by("order", "id"))
    mine_ids = _my_question_ids(request, event)
    mine = Question.objects.filter(event=event).exclude(status=Question.Status.HIDDEN)
    mine = mine.filter(pk__in=mine_ids) if conf.fully_anonymous else mine.filter(participant=participant)
    voted = set(participant.votes.values_list("question_id", flat=True))
    return {
        "event": event, "participant": participant, "session": session, "sessions": sessions, "conf": conf,
        "questions": selectors.visible_questions(event, session=session, order=order), "order": order,
        "mine": mine.select_related("session").order_by("-created_at"), "voted": voted,
        "form_error": form_error, "text": text, "max_length": MAX_QUESTION_LENGTH,
    }




@require_GET
def phone(request, code):
    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    return _render_phone(request, event, participant)


def _render_phone(request, event, participant):
    context = _phone_context(request, event, participant, _chosen_session(request, event))
    template = "discussion/phone.html#live" if request.htmx and request.htmx.target == "discussion-live" \
        else "discussion/phone.html"
    return render(request, template, context)


def _chosen_session(request, event):
    sessions = event.sessions.order_by("order", "id")
    wanted = request.GET.get("sesi") or request.POST.get("session")
    if wanted and wanted.isdigit():
        found = sessions.filter(pk=int(wanted)).first()
        if found:
            return found
    return sessions.first()


@require_POST
def ask(request, code):
    from django_ratelimit.core import is_ratelimited  # noqa: PLC0415 -- thin view

    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    session = _chosen_session(request, event)
    if session is None:
        raise Http404
    text = request.POST.get("text", "")
    speaker = session.speakers.filter(pk=request.POST.get("speaker") or 0).first()
    error, status = None, 200
    if is_ratelimited(request, group="discussion.ask", key="ip", rate="60/m", method="POST", increment=True):
        error, status = _("Too many questions from this network. Wait a minute; your text is kept."), 429
    else:
        try:
            question = services.ask_question(participant, session=session, text=text,
                                             show_name=request.POST.get("show_name") == "1", speaker=speaker)
        except services.DiscussionError as exc:
            error, status = exc.message, 429 if exc.code == "rate" else 400
    if error:
        context = _phone_context(request, event, participant, session, form_error=error, text=text)
        return render(request, "discussion/phone.html", context, status=status)
    response = redirect("{}?sesi={}#pertanyaan-saya".format(reverse("discussion:phone", kwargs={"code": event.code}),
                                                          session.pk))
    if services.settings_for(event).fully_anonymous:
        ids = (_my_question_ids(request, event) + [question.pk])[-50:]
        response.set_cookie(f"nq_{event.pk}", signing.dumps(ids, salt=MINE_SALT), max_age=86400 * 30,
                            httponly=True, samesite="Lax")
    messages.success(request, _("Your question was sent.") if question.status == Question.Status.VISIBLE
                     else _("Your question was sent and will appear after a moderator approves it."))
    return response


@require_POST
def toggle_vote(request, code, pk):
    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    question = get_object_or_404(Question, pk=pk, event=event)
    try:
        if request.POST.get("undo"):
            services.unvote(question, participant)
        else:
            services.vote(question, participant)
    except services.DiscussionError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        return _render_phone(request, event, participant)
    return redirect("{}?sesi={}".format(reverse("discussion:phone", kwargs={"code": event.code}), question.session_id))


@require_GET
def board(request, code):
    event = _visible_event(request, code)
    context = {"event": event, "board": selectors.board(event),
               "join_url": absolute(request, "events:join_short", code=event.code)}
    template = "discussion/board.html#live" if request.htmx else "discussion/board.html"
    return render(request, template, context)


# --- moderation ------------------------------------------------------------------------------

def _moderation_event(request, pk):
    """Organisers of the event, or speakers of one of its sessions (their sessions only)."""
    event = get_object_or_404(Event, pk=pk)
    if can_manage_event(request.user, event):
        return event, None
    own = Session.objects.filter(event=event, speakers__user=request.user).distinct()
    if not own.exists():
        raise Http404
    return event, own


@require_http_methods(["GET", "POST"])
@login_required
def moderation(request, pk):
    event, own_sessions = _moderation_event(request, pk)
    conf = services.settings_for(event)
    if request.method == "POST" and own_sessions is None and request.POST.get("form") == "settings":
        services.update_settings(event, user=request.user, moderated=request.POST.get("moderated") == "1",
                                 fully_anonymous=request.POST.get("fully_anonymous") == "1",
                                 blocked_words=request.POST.get("blocked_words", "")[:5000])
        messages.success(request, _("Discussion settings saved."))
        return redirect("discussion:moderation", pk=event.pk)
    questions = Question.objects.filter(event=event).select_related("session", "speaker")
    if own_sessions is not None:
        questions = questions.filter(session__in=own_sessions)
    context = {
        "event": event, "conf": conf, "speaker_only": own_sessions is not None,
        "pending": questions.filter(status=Question.Status.PENDING).order_by("created_at"),
        "visible": questions.filter(status=Question.Status.VISIBLE).order_by("-pinned", "answered_at", "-votes",
                                                                            "created_at"),
        "hidden": questions.filter(status=Question.Status.HIDDEN).order_by("-created_at")[:50],
        "record": selectors.record(event, blocked=conf.blocked),
        "log": _moderation_log(event) if own_sessions is None else [],
    }
    template = "discussion/moderation.html#live" if request.htmx else "discussion/moderation.html"
    return render(request, template, context)


def _moderation_log(event):
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415 -- leaf

    from netral.core.models import AuditLog  # noqa: PLC0415 -- leaf

    return (AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Event), object_id=str(event.pk),
                                    action__startswith="netral.discussion.")
            .select_related("user").order_by("-created_at")[:50])


@require_POST
@login_required
def moderate(request, pk, question_pk):
    event, _own_sessions = _moderation_event(request, pk)
    question = get_object_or_404(Question, pk=question_pk, event=event)
    into = Question.objects.filter(pk=request.POST.get("into") or 0, event=event).first()
    try:
        services.moderate(question, user=request.user, action=request.POST.get("action", ""),
                          text=request.POST.get("text", ""), summary=request.POST.get("summary", ""), into=into,
                          codes=request.POST.get("codes", "").replace(",", " ").split())
        if request.POST.get("action") == "answer" and request.POST.get("faq") == "1":
            services.publish_as_faq(question, user=request.user,
                                    question_text=request.POST.get("faq_question") or question.text,
                                    answer_text=request.POST.get("faq_answer") or question.answer_summary)
            messages.success(request, _("Published as a FAQ entry of the knowledge base."))
    except services.DiscussionError as exc:
        messages.error(request, exc.message)
    return redirect("discussion:moderation", pk=event.pk)


@require_GET
@organiser_required
def export(request, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    event = get_managed_event(request, pk)
    conf = services.settings_for(event)
    rec = selectors.record(event, blocked=conf.blocked)
    header = [_("Session"), _("Question"), _("Asked by"), _("Votes"), _("Answered"), _("Answer summary"),
              _("Behaviour codes")]
    rows = [[s["session"].title, q.text, q.display_name if q.show_name else _("Anonymous"), q.votes,
             _("Yes") if q.answered else _("No"), q.answer_summary, " ".join(q.codes)]
            for s in rec["sessions"] for q in s["items"]]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="diskusi-{event.code}.csv"'
        return response
    from netral.events.exports import _workbook  # noqa: PLC0415 -- shared XLSX layout

    response = HttpResponse(_workbook(_("Discussion"), header, rows, subtitle=event.title),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="diskusi-{event.code}.xlsx"'
    return response
