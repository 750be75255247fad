"""Chinese names of audited actions, for pages: the log stores stable codes, people read these."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ACTION_LABELS: dict[str, str] = {
    "enterprise.create": "登记企业",
    "scorecard.round.open": "开设绿色绩效评价批次",
    "scorecard.round.publish": "发布绿色绩效评价结果",
    "scorecard.declare": "企业申报绿色绩效指标",
    "scorecard.department": "导入部门数据",
    "scorecard.assign_expert": "指派绿色绩效现场核查专家",
    "scorecard.onsite": "记录绿色绩效现场核查",
    "scorecard.red_line": "列为红线企业",
    "scorecard.false_data": "记录弄虚作假",
    "scorecard.decide": "变更已发布的绿色绩效结果",
    "enterprise.update": "修改企业信息",
    "site.create": "新增厂区",
    "site.set_industries": "设置厂区行业",
    "line.create": "新增生产线",
    "line.update": "修改生产线",
    "outlet.create": "新增排放口",
    "user.create": "创建账号",
    "user.reset_link": "签发密码重置链接",
    "user.temporary_password": "设置临时密码",
    "user.password_reset": "通过链接重置密码",
    "user.password_change": "修改密码",
    "campaign.create": "创建评级批次",
    "campaign.cutoff": "申报截止",
    "campaign.cutoff.default_lowest": "未申报按最低等级管理",
    "declaration.create": "创建申报",
    "declaration.edit": "修改申报",
    "declaration.evidence": "上传证明材料",
    "declaration.commitment": "签署承诺书",
    "declaration.document": "生成申请报告/申请表",
    "onsite.assign": "指派现场核查专家",
    "onsite.open": "建立现场核查",
    "onsite.finding": "记录核查结果",
    "onsite.photo": "上传核查照片",
    "onsite.sign": "核查签字",
    "onsite.expert_sign": "专家签署核查意见",
    "sample.draw": "抽取B级核查样本",
    "expert.register": "登记专家",
    "expert.tie": "专家申报利害关系",
    "expert.blacklist": "专家列入黑名单",
    "grade.record": "登记绩效等级",
    "grade.close": "等级失效",
    "grade.downgrade": "动态降级",
    "grade.history": "补录历年绩效等级",
    "grade.ban": "限制申报一年",
    "grade.adjustment_window": "开放动态调整窗口",
    "grade.designate": "登记部级认定（A+级）",
    "integrity.record": "记入诚信档案",
    "rectification.order": "下达整改要求",
    "rectification.report": "报告整改完成",
    "rectification.close": "整改销号",
    "lookback.start": "启动回头看",
    "lookback.settle": "回头看处理",
    "objection.file": "公众举报/异议",
    "objection.handle": "办理举报/异议",
    "disclosure.notice": "发布结果公示",
    "emergency.list.create": "填报应急减排清单",
    "emergency.list.delete": "删除应急减排清单",
    "emergency.guarantee.decide": "保障类认定",
    "emergency.guarantee.remove": "移出保障类",
    "emergency.small_micro.certify": "小微涉气企业认定",
    "emergency.plan.approve": "核定不可中断工序限产方案",
    "alert.issue": "发布/调整预警",
    "alert.lift": "解除预警",
    "alert.acknowledge": "企业确认预警任务",
    "alert.report": "企业报告执行情况",
    "alert.evidence": "记录独立核查数据",
    "job.start": "发起后台任务",
    "job.cancel": "取消后台任务",
    "job.reap": "中止失去后台进程的任务",
    "emergency.measure_text.replace": "导入减排措施原文",
    "emergency.measure_text.decide": "审核导入的减排措施",
    "gates.register.edit": "登记车辆/机械",
    "gates.device.register": "登记门禁设备",
    "gates.device.revoke": "吊销门禁设备凭证",
    "gates.ingest": "接收门禁通行记录",
    "gates.verify": "核验门禁台账",
    "gates.inspect": "抽查门禁台账",
    "gates.archive": "归档门禁台账（保存期满）",
    "gates.video.record": "登记视频索引",
    "gates.finding.record": "记录门禁台账核验发现",
    "gates.finding.decide": "处理门禁台账核验发现",
    "gates.park.register": "登记物流园区/货运枢纽",
    "verification.import": "导入在线监测/用电量数据",
    "verification.run": "核查预警执行情况",
    "verification.case.open": "疑似未落实减排立案",
    "verification.case.withdraw": "复核后撤销疑似问题",
    "verification.case.decide": "核实预警执行疑似问题",
    "verification.crosscheck": "按月交叉核查在线监测与用电",
    "verification.finding.open": "记录交叉核查发现",
    "verification.finding.withdraw": "复核后撤回交叉核查发现",
    "verification.finding.decide": "核实交叉核查发现",
    "verification.meter.save": "登记电表/监测点位",
}


def action_label(code: str) -> str:
    """The Chinese name of an audited action; workflow transitions use their own labels; unknown codes as is."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    from airgrade.core.workflow import transition_for

    transition = transition_for(code)
    return transition.label_zh if transition is not None else code


# ---------------------------------------------------------------- change log in Chinese

# Audited objects whose model has no Chinese verbose_name (label_lower → name), and field names the models leave
# without one. Model verbose_names and choices come first; these only fill the gaps.
OBJECT_TYPE_LABELS: dict[str, str] = {
    "gates.ledgercheck": "门禁台账核验",
    "gates.inspectionsample": "门禁台账抽查",
    "gates.ledgerfinding": "门禁台账核验发现",
    "gates.logisticspark": "物流园区/货运枢纽",
    "verification.crosscheck": "交叉核查",
    "accounts.user": "账号",
    "declarations.campaignstage": "批次阶段",
    "declarations.campaignmilestone": "批次节点",
    "declarations.campaignbatch": "行业批次",
    "declarations.declarationitem": "申报行业",
    "declarations.evidencefile": "证明材料",
    "declarations.reviewevent": "审核记录",
    "declarations.sampledraw": "B级抽查",
    "declarations.cutoffrecord": "截止处理记录",
    "declarations.experttie": "专家利害关系",
    "declarations.onsitecheck": "现场核查",
    "declarations.onsitefinding": "核查结果",
    "declarations.onsitephoto": "核查照片",
    "declarations.expertsignoff": "专家签署",
    "emergency.listindustry": "清单行业",
    "emergency.listline": "清单生产线",
    "emergency.noninterruptibleplan": "不可中断工序限产方案",
    "emergency.alertchange": "预警调整",
    "emergency.alerttask": "预警任务",
    "jobs.job": "后台任务",
}

FIELD_LABELS: dict[str, str] = {
    "status": "状态",
    "state": "状态",
    "name": "名称",
    "title": "标题",
    "level": "级别",
    "region": "区划",
    "region_code": "区划",
    "region_codes": "区划",
    "industries": "行业",
    "industry_code": "行业",
    "industry": "行业",
    "site": "厂区",
    "site_id": "厂区",
    "enterprise": "企业",
    "enterprise_id": "企业",
    "declaration": "申报",
    "declaration_id": "申报",
    "grade": "等级",
    "decided_grade": "最终等级",
    "target_grade": "申报等级",
    "reason": "原因",
    "note": "说明",
    "opinion": "意见",
    "result": "结果",
    "year": "年份",
    "version": "版本",
    "capacity": "产能",
    "capacity_unit": "产能单位",
    "status_since": "状态变更时间",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "acknowledged_at": "签收时间",
    "acknowledged_by": "签收人",
    "reported_at": "报告时间",
    "reported_so2": "报告减排量（二氧化硫）",
    "reported_nox": "报告减排量（氮氧化物）",
    "reported_pm": "报告减排量（颗粒物）",
    "reported_vocs": "报告减排量（挥发性有机物）",
    "reported_lines_done": "已执行的生产线",
    "indicator_id": "指标",
    "process": "工序/分支",
    "facts": "指标事实",
    "role": "角色",
    "username": "用户名",
    "is_active": "启用",
    "expert": "专家",
    "seed": "随机种子",
    "file": "文件",
    "sha256": "文件摘要",
    "original_name": "文件名",
    "count": "数量",
    "kind": "类别",
    "category": "类别",
    "designation": "认定",
    "until": "截止日期",
    "deadline": "期限",
    "due": "期限",
    "signed_at": "签署时间",
    "signed_by": "签署人",
    "id": "编号",
    "created": "新建",
    "created_at": "创建时间",
    "created_by": "创建人",
    "defaulted": "按最低等级管理",
    "items": "申报行业",
    "seal": "封存摘要",
    "text_sha256": "文本摘要",
    "blacklist_reason": "列入黑名单原因",
    "blacklisted_at": "列入黑名单时间",
    "user": "账号",
    "conclusion": "结论",
    "signature": "签名",
    "indicator": "指标",
    "algorithm": "抽样方法",
    "candidates": "候选企业",
    "drawn": "抽中企业",
    "ratio": "比例",
    "entries": "公示条目",
    "guarantee": "保障类",
    "lines": "生产线",
    "small_micro": "小微涉气",
    "campaign": "评级批次",
    "recorded_by": "登记人",
    "close_note": "销号说明",
    "closed_at": "销号时间",
    "closed_by": "销号人",
    "lookback_item": "回头看事项",
    "ordered_at": "下达时间",
    "ordered_by": "下达人",
    "pollutants": "污染物",
    "event": "预警事件",
    "onsite_check": "现场核查",
}

_GENERIC_STR = re.compile(r"^\w+ object \((\d+)\)$")
_ASCII_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE_TOKEN = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![A-Za-z0-9_])")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _local_time(text: str) -> str:
    import datetime as dt

    from django.utils import timezone

    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str
    has_before: bool


class ChangeReader:
    """Renders audit records for people: the object's name and type, and each change as 字段：旧值 → 新值 with
    Chinese field names (the model's verbose_name, else FIELD_LABELS), choice labels, industry and region names and
    readable related objects. Caches look-ups for one page or export."""

    def __init__(self) -> None:
        self._regions: dict[str, str] = {}
        self._related: dict[tuple[str, Any], str] = {}

    # ---- names
    @staticmethod
    def _model(object_type: str) -> Any:
        from django.apps import apps

        try:
            return apps.get_model(object_type)
        except (LookupError, ValueError):
            return None

    def type_label(self, object_type: str) -> str:
        if object_type in OBJECT_TYPE_LABELS:
            return OBJECT_TYPE_LABELS[object_type]
        model = self._model(object_type)
        if model is not None:
            name = str(model._meta.verbose_name)
            if not _ASCII_KEY.match(name.replace(" ", "_")):
                return name
        return "记录"

    @classmethod
    def object_type_choices(cls) -> list[tuple[str, str]]:
        from django.apps import apps

        reader = cls()
        choices = []
        for model in apps.get_models():
            label = model._meta.label_lower
            if label.split(".")[0] in {"admin", "auth", "contenttypes", "sessions", "axes", "django_tasks_database"}:
                continue
            name = reader.type_label(label)
            if name != "记录":
                choices.append((label, name))
        return sorted(choices, key=lambda item: item[1])

    def _describe(self, obj: Any) -> str:
        text = str(obj)
        if not _GENERIC_STR.match(text):
            return _CODE_TOKEN.sub(lambda m: code_label(m.group(0)), text)
        parts = []
        for attr in ("number", "title", "name"):
            value = getattr(obj, attr, None)
            if isinstance(value, str) and value:
                parts.append(value)
                break
        check = getattr(obj, "onsite_check", None) if getattr(obj, "onsite_check_id", None) else None
        if check is not None and getattr(check, "declaration_id", None):
            parts.append(str(check.declaration.number))
        for relation, attr in (("declaration", "number"), ("event", "title"), ("enterprise", "name"), ("site", "name")):
            related = getattr(obj, f"{relation}_id", None) and getattr(obj, relation, None)
            value = getattr(related, attr, None) if related is not None else None
            if value:
                parts.append(str(value))
        label = self.type_label(obj._meta.label_lower)
        return f"{label}：{' · '.join(parts)}" if parts else f"{label} {obj.pk} 号"

    # The relations `_describe` reads, fetched with the object instead of one query each.
    _DESCRIBE_RELATIONS = ("declaration", "event", "enterprise", "site", "onsite_check", "onsite_check__declaration")

    def _describe_query(self, model: Any) -> Any:
        names = {f.name for f in model._meta.concrete_fields if f.is_relation}
        related = [r for r in self._DESCRIBE_RELATIONS if r.split("__")[0] in names]
        return model._default_manager.select_related(*related)

    def preload(self, records: Iterable[Any]) -> None:
        """Read the objects and related values a page of records names in one query per object type, not one per
        record (the audit page showed 50 records with 50+ queries). Idempotent; anything missed loads on demand."""
        from airgrade.platform.regions.models import Region

        if not self._regions:
            self._regions = dict(Region.objects.values_list("code", "name"))
        wanted: dict[str, set[str]] = {}
        for record in records:
            label = record.object_label or ""
            if not label or _GENERIC_STR.match(label):
                wanted.setdefault(record.object_type, set()).add(str(record.object_id))
            model = self._model(record.object_type)
            for snapshot in (record.before, record.after):
                for key, value in (snapshot if isinstance(snapshot, dict) else {}).items():
                    field = self._field(model, key)
                    related = getattr(field, "related_model", None) if field is not None and value else None
                    if related is not None and related.__name__ != "Region":
                        wanted.setdefault(related._meta.label_lower, set()).add(str(value))
        for object_type, pks in wanted.items():
            model = self._model(object_type)
            keys = [pk for pk in pks if pk.isdigit() and (object_type, pk) not in self._related]
            if model is None or not keys:
                continue
            found = self._describe_query(model).in_bulk([int(pk) for pk in keys])
            for pk in keys:
                obj = found.get(int(pk))
                self._related[(object_type, pk)] = (
                    self._describe(obj) if obj is not None else f"{self.type_label(object_type)} {pk} 号"
                )

    def object_label(self, record: Any) -> str:
        label = record.object_label or ""
        if label and not _GENERIC_STR.match(label):
            return _CODE_TOKEN.sub(lambda m: code_label(m.group(0)), label)
        return self._related_label(record.object_type, record.object_id)

    def _related_label(self, object_type: str, pk: Any) -> str:
        key = (object_type, str(pk))
        if key not in self._related:
            model = self._model(object_type)
            obj = self._describe_query(model).filter(pk=pk).first() if model is not None and str(pk).isdigit() else None
            self._related[key] = self._describe(obj) if obj is not None else f"{self.type_label(object_type)} {pk} 号"
        return self._related[key]

    def region_name(self, code: Any) -> str:
        from airgrade.platform.regions.models import Region

        key = str(code)
        if key not in self._regions:
            name = Region.objects.filter(code=key).values_list("name", flat=True).first() if key.isdigit() else None
            self._regions[key] = name or key
        return self._regions[key]

    @staticmethod
    def industry_name(code: Any) -> str:
        from airgrade.core.industries import industry_by_code

        industry = industry_by_code(str(code))
        return industry.name_zh if industry is not None else str(code)

    # ---- fields and values
    def _field(self, model: Any, key: str) -> Any:
        if model is None:
            return None
        for field in model._meta.concrete_fields:
            if key in (field.name, field.attname):
                return field
        return None

    def field_label(self, model: Any, key: str) -> str:
        field = self._field(model, key)
        if field is not None:
            name = str(field.verbose_name)
            if name != "ID" and not _ASCII_KEY.match(name.replace(" ", "_")):
                return name
        if key in FIELD_LABELS:
            return FIELD_LABELS[key]
        if key.endswith("_id") and key[:-3] in FIELD_LABELS:
            return FIELD_LABELS[key[:-3]]
        return "其他内容"

    def value(self, model: Any, key: str, value: Any) -> str:
        text = self._value(model, key, value)
        return text if len(text) <= 300 else text[:300] + "…"

    def _value(self, model: Any, key: str, value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        field = self._field(model, key)
        bare = key[:-3] if key.endswith("_id") else key
        if "industr" in bare:
            return self._industries(value)
        if bare.startswith("region") or (
            field is not None and getattr(field.related_model, "__name__", "") == "Region"
        ):
            if isinstance(value, list):
                return "、".join(self.region_name(code) for code in value)
            return self.region_name(value)
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field is not None and field.is_relation and field.related_model is not None:
            return self._related_label(field.related_model._meta.label_lower, value)
        if bare in ("status", "state"):
            return _status_label(str(value))
        if isinstance(value, float):
            return f"{value:,.6f}".rstrip("0").rstrip(".")
        if isinstance(value, list):
            return "、".join(self._item(item) for item in value)
        if isinstance(value, dict):
            parts = []
            for k, v in value.items():
                label = self.field_label(None, str(k))
                if label == "其他内容":
                    industry = self.industry_name(k)
                    if industry == str(k):
                        continue
                    label = industry
                parts.append(f"{label}：{self.value(None, str(k), v)}")
            return "；".join(parts) if parts else f"{len(value)} 项"
        text = str(value)
        if _ISO_TIME.match(text):
            return _local_time(text)
        if _ASCII_KEY.match(text):
            return code_label(text)
        return text

    def _item(self, item: Any) -> str:
        """One element of a listed value: a row of a table by its name, a plain value as itself."""
        if isinstance(item, dict):
            for key in ("name", "title", "number"):
                if item.get(key):
                    return str(item[key])
            if item.get("industry_code"):
                return self.industry_name(item["industry_code"])
            return f"{len(item)} 项"
        if isinstance(item, list):
            return "（" + "、".join(self._item(x) for x in item) + "）"
        return self._value(None, "", item)

    def _industries(self, value: Any) -> str:
        names = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, list | tuple):
                code, branch = [*item, "", ""][:2]
            elif isinstance(item, dict):
                code, branch = item.get("industry_code", ""), item.get("branch", "") or item.get("process", "")
            else:
                code, branch = item, ""
            names.append(self.industry_name(code) + (f"（{branch}）" if branch else ""))
        return "、".join(names) if names else "（空）"

    def changes(self, record: Any) -> list[Change]:
        model = self._model(record.object_type)
        before = record.before if isinstance(record.before, dict) else {}
        after = record.after if isinstance(record.after, dict) else {}
        keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
        return [
            Change(
                field=self.field_label(model, key),
                old=self.value(model, key, before.get(key)),
                new=self.value(model, key, after.get(key)) if key in after else "（删除）",
                has_before=bool(record.before),
            )
            for key in keys
        ]

    def change_lines(self, record: Any) -> list[str]:
        return [
            f"{c.field}：{c.old} → {c.new}" if c.has_before else f"{c.field}：{c.new}" for c in self.changes(record)
        ]


def _status_label(value: str) -> str:
    from airgrade.core.workflow import State

    try:
        return State(value).label_zh
    except ValueError:
        return STATUS_LABELS.get(value, value)


STATUS_LABELS: dict[str, str] = {
    "running": "运行",
    "stopped": "停产",
    "backup": "备用",
    "active": "生效",
    "closed": "已关闭",
    "lifted": "已解除",
    "open": "办理中",
    "pending": "待处理",
    "done": "已完成",
    "cancelled": "已取消",
}


@functools.lru_cache(maxsize=1)
def _choice_labels() -> dict[str, str]:
    """Every stored choice value of every model field → its Chinese label (a code in a snapshot reads as a name)."""
    from django.apps import apps

    labels: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for value, label in field.flatchoices or []:
                if isinstance(value, str) and "_" in value and value not in labels:
                    labels[value] = str(label)
    return labels


@functools.lru_cache(maxsize=1)
def _indicator_labels() -> dict[str, str]:
    """Indicator ids of the rule book in force → Chinese labels (facts, findings)."""
    import datetime as dt

    from airgrade.core.industries import all_industries
    from airgrade.core.rules.rulebook import default_rulebook

    book = default_rulebook()
    labels: dict[str, str] = {}
    for industry in all_industries():
        try:
            rules = book.rules_for(industry.code, dt.date.today(), None)
        except Exception:  # an industry without rules in force simply adds no labels
            continue
        for indicator in rules.indicators:
            labels.setdefault(indicator.id, indicator.label_zh)
    return labels


def code_label(code: str) -> str:
    """A stored code as people read it: industry name, choice label, indicator label; unknown codes unchanged
    unless they look like identifiers (snake_case), which read as 其他."""
    from airgrade.core.industries import industry_by_code

    industry = industry_by_code(code)
    if industry is not None:
        return industry.name_zh
    if code in _choice_labels():
        return _choice_labels()[code]
    if code in STATUS_LABELS:
        return STATUS_LABELS[code]
    if code in _indicator_labels():
        return _indicator_labels()[code]
    return code
