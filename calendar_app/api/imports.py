"""/api/v1 routes for spreadsheets and calendars: import .xlsx and .ics into an edition, export .xlsx.

Bearer token only (the caller's scope is active). An import is all or nothing: 201 with what was
created, 200 for `dry_run=1` (a check that saves nothing), 422 with every bad row
`{"message", "errors": [{"row", "column", "message"}]}` (venue clashes included), 403 for an edition
the caller may not schedule into.
"""
from __future__ import annotations

import io

from flask import current_app, g, jsonify, request, send_file

from calendar_app.accounts.auth import api_actor
from calendar_app.api.views import bp
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.imports import ics_import, xlsx_export, xlsx_import
from calendar_app.imports.fetch import fetch_calendar
from calendar_app.imports.report import ImportRefused, ImportResult


@bp.errorhandler(ImportRefused)
def import_refused(exc: ImportRefused):
    db.session.rollback()
    return jsonify(exc.to_dict()), 422


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


def uploaded_file(field: str = "file") -> bytes:
    upload = request.files.get(field)
    if upload is None:
        raise ValidationError("请以 multipart/form-data 上传文件（字段名 file）", field)
    return upload.read()


def answer(result: ImportResult):
    """The import's answer; the transaction is committed only for a real import without errors."""
    if not result.ok:
        db.session.rollback()
        return jsonify(result.error_json()), 422
    body = {"warnings": result.warnings, "rows": result.rows}
    if result.dry_run:
        db.session.rollback()
        return jsonify({"valid": True, **body, "message": result.message}), 200
    db.session.commit()
    ids = result.created_ids + result.updated_ids + result.cancelled_ids
    body.update({"created": len(result.created_ids), "updated": len(result.updated_ids),
                 "cancelled": len(result.cancelled_ids), "event_ids": ids, "message": result.message})
    return jsonify(body), 201 if result.created_ids else 200


@bp.post("/imports/xlsx")
@api_actor()
def import_xlsx():
    result = xlsx_import.import_xlsx(g.actor, request.args.get("edition"), uploaded_file(), dry_run=_flag("dry_run"))
    return answer(result)


@bp.post("/imports/ics")
@api_actor()
def import_ics():
    if request.files.get("file") is not None:
        data = uploaded_file()
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            raise ValidationError("请上传 .ics 文件（multipart 字段 file），或提交 JSON {\"url\": \"https://…\"}", "url")
        data = fetch_calendar(body["url"], allow_private=current_app.config.get("ICS_IMPORT_ALLOW_PRIVATE", False))
    result = ics_import.import_ics(g.actor, request.args.get("edition"), data, area=request.args.get("area"),
                                   dry_run=_flag("dry_run"))
    return answer(result)


@bp.get("/exports/xlsx")
@api_actor()
def export_xlsx():
    args = request.args
    content, name = xlsx_export.export_xlsx(g.actor, args.get("start"), args.get("end"), edition=args.get("edition"),
                                            program=args.get("program"), area=args.get("area"))
    return send_file(io.BytesIO(content), mimetype=xlsx_export.XLSX_MIMETYPE, as_attachment=True, download_name=name)
