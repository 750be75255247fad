"""Chinese names of audited actions, for pages: the log stores stable codes, people read these."""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "enterprise.create": "登记企业",
    "enterprise.update": "修改企业信息",
    "site.create": "新增厂区",
    "site.set_industries": "设置厂区行业",
    "line.create": "新增生产线",
    "line.update": "修改生产线",
    "outlet.create": "新增排放口",
    "user.create": "创建账号",
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
    "emergency.measure_text.replace": "导入减排措施原文",
    "emergency.measure_text.decide": "审核导入的减排措施",
}


def action_label(code: str) -> str:
    """The Chinese name of an audited action; workflow transitions use their own labels; unknown codes as is."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    from airgrade.core.workflow import transition_for

    transition = transition_for(code)
    return transition.label_zh if transition is not None else code
