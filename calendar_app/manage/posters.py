"""Poster upload pages: an event's poster (its coordinator or staff), a program's or an edition's (staff).

A coordinator reaches only the events of their town and its villages (`scope.get`: another town's
event is a 404); programs and editions follow the staff pages' rule (edit within the subtree). The
upload is checked and re-encoded by `media.images`; a refused file changes nothing.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField

from calendar_app.accounts import scope
from calendar_app.audit.services import record
from calendar_app.db import ValidationError
from calendar_app.events.models import Event
from calendar_app.extensions import db
from calendar_app.manage import bp
from calendar_app.manage.forms import ChineseMeta
from calendar_app.manage.staff import _edition_or_404, _program_or_404, staff_only
from calendar_app.media import services as media


class PosterForm(FlaskForm):
    class Meta(ChineseMeta):
        pass

    poster = FileField("海报图片", description="JPEG、PNG 或 WebP，不超过 5 MB；竖版（宽:高 约 3:4）效果最好。"
                                              "上传后会自动压缩成多种尺寸，并去除拍摄地点等隐私信息。",
                       render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove = BooleanField("删除当前海报（不上传新图片时）")


def _poster_page(obj, kind: str, title: str, back: str, action: str):
    """Show and handle the poster form of one program, edition or event."""
    form = PosterForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            upload = form.poster.data
            try:
                if upload:
                    key = media.store_poster(upload.read())
                elif form.remove.data:
                    key = None
                else:
                    raise ValidationError("请选择要上传的图片文件", "poster")
                old = obj.poster_key
                media.set_poster(obj, key)
                record(f"{kind}.poster", kind, obj.id, user_id=g.actor.id, changes={"poster": [old, key]})
            except ValidationError as exc:
                db.session.rollback()
                form.poster.errors = list(form.poster.errors) + [exc.message]
            else:
                db.session.commit()
                flash("海报已更新。" if key else "海报已删除。", "success")
                return redirect(back)
    return render_template("manage/poster.html", form=form, obj=obj, title=title, back=back,
                           action=action), status


@bp.route("/events/<int:event_id>/poster", methods=["GET", "POST"])
def event_poster(event_id: int):
    event = scope.get(Event, event_id)  # another town's event is outside the scope: it does not exist here
    if event is None:
        abort(404, "活动不存在或不在您的管辖范围内")
    return _poster_page(event, "event", event.title, url_for("manage.event", event_id=event.id),
                        url_for("manage.event_poster", event_id=event.id))


@bp.route("/programs/<int:program_id>/poster", methods=["GET", "POST"])
@staff_only
def program_poster(program_id: int):
    program = _program_or_404(program_id, edit=True)
    return _poster_page(program, "program", program.name, url_for("manage.programs_list") + f"#program-{program.id}",
                        url_for("manage.program_poster", program_id=program.id))


@bp.route("/programs/<int:program_id>/editions/<int:edition_id>/poster", methods=["GET", "POST"])
@staff_only
def edition_poster(program_id: int, edition_id: int):
    program = _program_or_404(program_id, edit=True)
    edition = _edition_or_404(program, edition_id)
    return _poster_page(edition, "edition", f"{program.name} · {edition.name}",
                        url_for("manage.programs_list") + f"#program-{program.id}",
                        url_for("manage.edition_poster", program_id=program.id, edition_id=edition.id))
