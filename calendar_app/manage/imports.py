"""Management pages: spreadsheets and calendars in, spreadsheets out (see the package docstring).

Thin: validate the form, call one import or export operation, commit only when the whole file went
in, and show the report (each bad row, column and reason) as a table.
"""
from __future__ import annotations

import io

from flask import current_app, g, render_template, request, send_file
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional
from wtforms.validators import ValidationError as FieldError

from calendar_app import clock
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.extensions import db
from calendar_app.imports import ics_import, xlsx_export, xlsx_import
from calendar_app.imports.fetch import fetch_calendar
from calendar_app.imports.repeat import GRAMMAR
from calendar_app.imports.report import ImportRefused, ImportResult
from calendar_app.manage import bp

#: Errors shown in the page's table; the rest are counted.
_SHOWN_ERRORS = 200


class ChoiceField(SelectField):
    """A select whose refusals speak Chinese (WTForms' defaults are English)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("请从列表中选择") from None

    def pre_validate(self, form):
        if self.validate_choice and self.data not in {value for value, _label in self.choices or ()}:
            raise FieldError("请从列表中选择（只能选择您有权使用的项）")


class DayField(DateField):
    """YYYY-MM-DD, refused in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("日期应为 YYYY-MM-DD，且须是存在的日期") from None


class XlsxImportForm(FlaskForm):
    edition = ChoiceField("导入到届次", coerce=int, description="只列出您可以安排活动的届次")
    file = FileField("活动表（.xlsx）", validators=[FileRequired("请选择要上传的 .xlsx 文件")],
                     render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    dry_run = BooleanField("只检查不导入")


class IcsImportForm(FlaskForm):
    edition = ChoiceField("导入到届次", coerce=int)
    area = ChoiceField("活动所属镇街或村", coerce=int)
    file = FileField("日历文件（.ics）", render_kw={"accept": ".ics,text/calendar"})
    url = StringField("或日历网址", validators=[Optional(), Length(max=2000, message="网址过长")],
                      description="http(s):// 或 webcal:// 开头；再次导入同一日历时按 UID 更新",
                      render_kw={"inputmode": "url", "placeholder": "https://…/calendar.ics"})
    dry_run = BooleanField("只检查不导入")


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download that changes nothing

    start = DayField("开始日期", validators=[Optional()], format="%Y-%m-%d")
    end = DayField("结束日期", validators=[Optional()], description="最长 366 天", format="%Y-%m-%d")
    edition = ChoiceField("届次", validators=[Optional()])


def _edition_choices() -> list[tuple[int, str]]:
    return [(e.id, f"{e.program.name} · {e.name}") for e in workflow.editions_for(g.actor)]


def _forms(xlsx_form=None, ics_form=None, export_form=None):
    editions = _edition_choices()
    xlsx_form = xlsx_form or XlsxImportForm(formdata=None)
    ics_form = ics_form or IcsImportForm(formdata=None)
    export_form = export_form or ExportForm(formdata=None)
    xlsx_form.edition.choices = editions
    ics_form.edition.choices = editions
    ics_form.area.choices = [(a.id, a.name) for a in workflow.areas_for(g.actor) if a.kind in ("town", "village")]
    if g.actor.role == "coordinator" and ics_form.area.data is None:
        ics_form.area.data = g.actor.area_id
    export_form.edition.choices = [("", "全部届次")] + [(str(i), label) for i, label in editions]
    if export_form.start.data is None and export_form.end.data is None:
        today = clock.today()
        export_form.start.data = today.replace(day=1)
        export_form.end.data = today.replace(month=12, day=31)
    return xlsx_form, ics_form, export_form


def _page(*, result: ImportResult | None = None, refused: str | None = None, kind: str | None = None,
          status: int = 200, **forms):
    xlsx_form, ics_form, export_form = _forms(**forms)
    return render_template("manage/imports/index.html", xlsx_form=xlsx_form, ics_form=ics_form,
                           export_form=export_form, result=result, refused=refused, kind=kind, grammar=GRAMMAR,
                           shown_errors=_SHOWN_ERRORS), status


def _finish(result: ImportResult) -> None:
    if result.ok and not result.dry_run:
        db.session.commit()
    else:
        db.session.rollback()


@bp.get("/imports")
def imports():
    return _page()


@bp.post("/imports")
def import_xlsx():
    form = XlsxImportForm()
    form.edition.choices = _edition_choices()
    if not form.validate_on_submit():
        return _page(xlsx_form=form, kind="xlsx", status=400)
    try:
        result = xlsx_import.import_xlsx(g.actor, form.edition.data, form.file.data.read(), dry_run=form.dry_run.data)
    except ImportRefused as exc:
        db.session.rollback()
        return _page(xlsx_form=form, refused=exc.message, kind="xlsx", status=422)
    except ValidationError as exc:
        db.session.rollback()
        form.edition.errors.append(exc.message)
        return _page(xlsx_form=form, kind="xlsx", status=400)
    _finish(result)
    return _page(xlsx_form=form, result=result, kind="xlsx", status=200 if result.ok else 422)


@bp.post("/imports/ics")
def import_ics():
    form = IcsImportForm()
    form.edition.choices = _edition_choices()
    form.area.choices = [(a.id, a.name) for a in workflow.areas_for(g.actor) if a.kind in ("town", "village")]
    if not form.validate_on_submit():
        return _page(ics_form=form, kind="ics", status=400)
    has_file = bool(form.file.data and getattr(form.file.data, "filename", ""))
    if not has_file and not form.url.data:
        form.file.errors.append("请选择 .ics 文件，或填写日历网址")
        return _page(ics_form=form, kind="ics", status=400)
    try:
        if has_file:
            data = form.file.data.read()
        else:
            data = fetch_calendar(form.url.data, allow_private=current_app.config.get("ICS_IMPORT_ALLOW_PRIVATE", False))
        result = ics_import.import_ics(g.actor, form.edition.data, data, area=form.area.data, dry_run=form.dry_run.data)
    except ImportRefused as exc:
        db.session.rollback()
        return _page(ics_form=form, refused=exc.message, kind="ics", status=422)
    except ValidationError as exc:
        db.session.rollback()
        (form.area if exc.field == "area" else form.edition).errors.append(exc.message)
        return _page(ics_form=form, kind="ics", status=400)
    _finish(result)
    return _page(ics_form=form, result=result, kind="ics", status=200 if result.ok else 422)


@bp.get("/imports/template.xlsx")
def import_template():
    edition = None
    raw = request.args.get("edition", "")
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        edition = next((e for e in workflow.editions_for(g.actor) if e.id == int(raw)), None)
    content = xlsx_export.template_xlsx(g.actor, edition)
    return send_file(io.BytesIO(content), mimetype=xlsx_export.XLSX_MIMETYPE, as_attachment=True,
                     download_name="活动导入模板.xlsx")


@bp.get("/exports/xlsx")
def export_xlsx():
    form = ExportForm(request.args)
    form.edition.choices = [("", "全部届次")] + [(str(i), label) for i, label in _edition_choices()]
    if not form.validate() or form.start.data is None or form.end.data is None:
        if not form.errors:
            (form.start if form.start.data is None else form.end).errors.append("请选择日期")
        return _page(export_form=form, kind="export", status=400)
    try:
        content, name = xlsx_export.export_xlsx(g.actor, form.start.data, form.end.data, edition=form.edition.data,
                                                program=request.args.get("program"), area=request.args.get("area"))
    except ValidationError as exc:
        target = getattr(form, exc.field) if exc.field in ("start", "end", "edition") else form.end
        target.errors.append(exc.message)
        return _page(export_form=form, kind="export", status=400)
    return send_file(io.BytesIO(content), mimetype=xlsx_export.XLSX_MIMETYPE, as_attachment=True, download_name=name)

