"""The workbook layouts the platform reads and writes, declared as data (see spec.py). docs/workbooks.md describes
each one; the template download, the reader, the writer and that page all come from these declarations.

Only the improvement list (seed 000 附件3) publishes its columns; the national emergency-list template (2020 版) and
the other annexes are not public, so these layouts are our own, built from the fields the seed texts name
(REQ SJZ-9, H23-4, H21-4, H23-1, H23-5, SJZ-2) and marked `official=False`: the product says so on the template page
and in the 填写说明 sheet.
"""

from __future__ import annotations

from airgrade.core.emergency.model import LineStatus
from airgrade.core.types import Grade
from airgrade.io.excel.spec import BOOLEAN, CHOICE, DATE, INTEGER, NUMBER, Column, Layout

GRADE_CHOICES = tuple((grade.value, grade.value) for grade in Grade)
LINE_KIND_CHOICES = (("line", "生产线"), ("process", "工序"), ("equipment", "设备"))
LINE_STATUS_CHOICES = tuple((status.value, status.label_zh) for status in LineStatus)
ENTERPRISE_STATUS_CHOICES = (("operating", "正常生产"), ("suspended", "停产"), ("closed", "关停"))
REGISTRY_LINE_STATUS_CHOICES = (("running", "运行"), ("stopped", "停运"), ("backup", "备用"))

CREDIT_CODE = Column(
    "credit_code",
    "统一社会信用代码",
    required=True,
    aliases=("信用代码", "社会信用代码", "统一信用代码", "组织机构代码"),
    width=22,
    note="18位，末位校验码按 GB 32100 校验",
)
ENTERPRISE_NAME = Column("enterprise_name", "企业名称", required=True, aliases=("单位名称", "企业全称"), width=28)
COUNTY = Column(
    "county",
    "所在县（市、区）",
    aliases=("县（市、区）", "县(市、区)", "县区", "所属县区", "区县", "所在区县", "行政区划", "行政区划代码", "县"),
    note="县（市、区）名称或6位行政区划代码；企业已在档案中时可不填",
)
SITE_NAME = Column(
    "site_name", "厂区名称", aliases=("厂区", "生产厂区"), note="企业只有一个厂区时可不填（默认“主厂区”）"
)
INDUSTRY = Column(
    "industry",
    "行业类别",
    required=True,
    aliases=("行业类型", "重点行业类型", "所属行业", "行业名称", "行业"),
    note="按技术指南行业名称填写（如“水泥”），也可填行业代码",
)

EMERGENCY_LIST = Layout(
    key="emergency_list",
    title="重污染天气应急减排清单",
    sheet="应急减排清单",
    # REQ SJZ-9, H23-4
    source="石家庄市 2020 年紧急通知第（十二）条与河南省 2023 年通知第四条列出的清单项目",
    note="每行一条生产线（工序、设备）；同一企业同一厂区同一年度的多行合为一个清单条目，企业信息各行相同。",
    columns=(
        Column("year", "清单年度", INTEGER, required=True, aliases=("年度", "清单年份"), width=9),
        CREDIT_CODE,
        ENTERPRISE_NAME,
        SITE_NAME,
        COUNTY,
        INDUSTRY,
        Column(
            "grade",
            "绩效等级",
            CHOICE,
            choices=GRADE_CHOICES,
            aliases=("绩效分级", "绩效级别", "分级结果", "企业绩效等级"),
            note="已有评级结果的以评级结果为准；未评级的按最低等级管理",
            width=9,
        ),
        Column("in_industrial_park", "是否在工业园区", BOOLEAN, aliases=("是否在园区", "位于工业园区"), width=9),
        Column("transport_mode", "运输方式", aliases=("主要运输方式",)),
        Column("transport_volume_t", "年运输量", NUMBER, unit="吨", aliases=("运输量", "年货物运输量")),
        Column("daily_heavy_trucks", "日均重型车辆", INTEGER, unit="辆次", aliases=("日均重型货车", "重型车辆日进出")),
        Column("output_value_10k_yuan", "工业产值", NUMBER, unit="万元", aliases=("产值", "年产值", "工业总产值")),
        Column("energy_use_tce", "能源消耗量", NUMBER, unit="吨标煤", aliases=("能耗", "综合能耗", "能源消耗")),
        Column("annual_output", "年产量", NUMBER, aliases=("产量", "主要产品产量")),
        Column("output_unit", "产量单位", aliases=("产品产量单位",), width=9),
        Column(
            "line_key",
            "生产线编号",
            group="生产线（工序、设备）",
            aliases=("编号", "生产线序号", "设备编号"),
            note="同一清单条目内唯一",
            width=10,
        ),
        Column(
            "line_name",
            "名称",
            group="生产线（工序、设备）",
            aliases=("生产线名称", "生产线/工序/设备名称", "工序名称", "设备名称", "生产线或工序"),
            width=22,
        ),
        Column("kind", "类别", CHOICE, group="生产线（工序、设备）", choices=LINE_KIND_CHOICES, width=8),
        Column(
            "status",
            "运行状态",
            CHOICE,
            group="生产线（工序、设备）",
            choices=LINE_STATUS_CHOICES,
            note="上年度已停产和备用的生产线不计入减排基数",
            width=12,
        ),
        Column("capacity_unit", "产能单位", group="生产线（工序、设备）", aliases=("单位",), width=10),
        Column("operating_days", "年运行天数", NUMBER, group="生产线（工序、设备）", aliases=("运行天数",), width=9),
        Column(
            "eia_capacity",
            "环评批复产能",
            NUMBER,
            group="产能",
            aliases=("环评产能", "环评批复"),
            unit_column="capacity_unit",
        ),
        Column(
            "permit_capacity",
            "排污许可产能",
            NUMBER,
            group="产能",
            aliases=("许可产能", "排污许可证产能"),
            unit_column="capacity_unit",
        ),
        Column(
            "actual_output",
            "上年度实际产量",
            NUMBER,
            group="产能",
            aliases=("实际产量", "上年实际产量", "上年度产量"),
            unit_column="capacity_unit",
        ),
        Column("SO2", "二氧化硫", NUMBER, unit="吨/天", group="日排放量", aliases=("SO2", "SO₂")),
        Column("NOx", "氮氧化物", NUMBER, unit="吨/天", group="日排放量", aliases=("NOx", "NOX")),
        Column("PM", "颗粒物", NUMBER, unit="吨/天", group="日排放量", aliases=("PM", "烟粉尘", "烟尘")),
        Column("VOCs", "挥发性有机物", NUMBER, unit="吨/天", group="日排放量", aliases=("VOCs", "VOCS")),
        Column("non_interruptible", "不可中断工序", BOOLEAN, aliases=("是否不可中断",), width=9),
        Column("key_parameters", "关键工艺参数", aliases=("关键参数",), width=20),
        Column(
            "measure_yellow",
            "黄色预警",
            group="减排措施",
            aliases=("黄色预警措施", "黄色预警减排措施", "黄色"),
            note="原文保留；能识别为量化措施的（停产、限产30%、停止使用国四及以下车辆、投料量由…降低到…）交审核人员确认",
            width=24,
        ),
        Column(
            "measure_orange",
            "橙色预警",
            group="减排措施",
            aliases=("橙色预警措施", "橙色预警减排措施", "橙色"),
            width=24,
        ),
        Column(
            "measure_red", "红色预警", group="减排措施", aliases=("红色预警措施", "红色预警减排措施", "红色"), width=24
        ),
    ),
)

REGISTRY = Layout(
    key="registry",
    title="企业档案（企业、厂区、行业、生产线）",
    sheet="企业档案",
    # REQ G-1, LC-4, LC-5
    source="《技术指南》及河南省、聊城市文件对企业、厂区、行业类型与分支、生产线和产能的要求",
    note="每行一条生产线（工序、设备）；没有生产线的企业填一行企业信息即可。",
    columns=(
        CREDIT_CODE,
        ENTERPRISE_NAME,
        COUNTY,
        Column("address", "地址", aliases=("企业地址", "详细地址"), width=24),
        Column("contact_name", "联系人", aliases=("企业联系人", "环保负责人")),
        Column("contact_phone", "联系电话", aliases=("电话", "手机", "联系方式")),
        Column("enterprise_status", "企业状态", CHOICE, choices=ENTERPRISE_STATUS_CHOICES, aliases=("生产状态",)),
        SITE_NAME,
        Column("site_address", "厂区地址", width=24),
        Column(
            "industry",
            "行业类型",
            aliases=("重点行业类型", "行业类别", "所属行业", "行业"),
            note="按技术指南行业名称或行业代码填写",
        ),
        Column("branch", "行业分支", aliases=("重点行业分支", "分支")),
        Column("line_name", "生产线/工序/设备名称", aliases=("生产线名称", "名称", "设备名称", "工序名称"), width=22),
        Column("kind", "类别", CHOICE, choices=LINE_KIND_CHOICES),
        Column("process_type", "工艺类型", aliases=("工艺",)),
        Column("capacity", "产能", NUMBER, aliases=("设计产能", "生产能力"), unit_column="capacity_unit"),
        Column("capacity_unit", "产能单位", aliases=("单位",)),
        Column("energy_type", "能源类型", aliases=("燃料类型", "能源")),
        Column("line_status", "运行状态", CHOICE, choices=REGISTRY_LINE_STATUS_CHOICES),
        Column("non_interruptible", "不可中断工序", BOOLEAN, aliases=("是否不可中断",)),
    ),
)

OUTLETS = Layout(
    key="outlets",
    title="排放口",
    sheet="排放口",
    source="排污许可证排放口信息",
    columns=(
        CREDIT_CODE,
        SITE_NAME,
        Column("code", "排放口编号", required=True, aliases=("编号",)),
        Column("name", "排放口名称", aliases=("名称",), width=22),
        Column(
            "pollutants", "污染物", aliases=("排放污染物", "污染物种类"), note="SO2、NOx、PM、VOCs，用顿号或逗号分隔"
        ),
    ),
)

GRADE_HISTORY = Layout(
    key="grade_history",
    title="历年绩效等级",
    sheet="历年绩效等级",
    # REQ H21-7, LC-12
    source="各地历年公开发布的绩效分级结果",
    note="每行一个厂区一个行业一段时期的等级，须注明发布文件与发布日期。",
    columns=(
        CREDIT_CODE,
        ENTERPRISE_NAME,
        SITE_NAME,
        INDUSTRY,
        Column("grade", "绩效等级", CHOICE, required=True, choices=GRADE_CHOICES, aliases=("等级", "绩效分级")),
        Column("valid_from", "生效日期", DATE, required=True, aliases=("起始日期", "开始日期")),
        Column("valid_until", "失效日期", DATE, aliases=("截止日期", "结束日期"), note="仍有效的可不填"),
        Column(
            "source_document", "发布文件", required=True, aliases=("文件名称", "文号", "来源文件", "依据文件"), width=30
        ),
        Column("published_on", "发布日期", DATE, required=True, aliases=("公布日期",)),
    ),
)

ZZ_DEPARTMENT = Layout(
    key="zz_department",
    title="绿色绩效评价部门数据",
    sheet="部门数据",
    # REQ ZZ-2: 部门收集 — environment, energy, transport, safety, land, tax… from the city's departments
    source="郑环攻坚〔2019〕11号 三（三）1(2) 部门收集（表格式为本平台自定）",
    note="每行一家企业的一项指标。指标可填名称或代码；数值：是/否，国家级/省级/无，得分，或百分比、数值。",
    columns=(
        Column("year", "评价年度", INTEGER, required=True, aliases=("年度",), example=2025),
        CREDIT_CODE,
        Column("enterprise_name", "企业名称", aliases=("单位名称", "企业全称"), width=28),
        Column("indicator", "评价指标", required=True, aliases=("指标", "指标名称", "指标代码"), width=36),
        Column(
            "value", "数值", required=True, aliases=("指标值", "取值", "得分"), note="是/否、国家级/省级/无、得分或数值"
        ),
        Column("department", "提供部门", required=True, aliases=("数据来源部门", "部门", "来源部门"), width=18),
        Column("note", "说明", aliases=("备注",), width=24),
    ),
)

IMPORT_LAYOUTS: dict[str, tuple[Layout, ...]] = {
    "emergency_list": (EMERGENCY_LIST,),
    "registry": (REGISTRY, OUTLETS),
    "grade_history": (GRADE_HISTORY,),
    "zz_department": (ZZ_DEPARTMENT,),
}


# ---------------------------------------------------------------- official tables (exports)
# The annexes below are named in the seed texts but their column lists are not published: every layout here is
# derived from what the text says the table is for, marked official=False, and documented in docs/workbooks.md.

NUMBER_COLUMN = Column("number", "序号", INTEGER, width=6)
CITY = Column("city", "省辖市", width=10)
COUNTY_NAME = Column("county", "县（市、区）", width=12)
INDUSTRY_NAME = Column("industry", "重点行业类型", width=16)
BRANCH = Column("branch", "重点行业分支", width=16)
LISTED_ENTERPRISE = Column("enterprise_name", "企业名称", width=28)
LISTED_SITE = Column("site_name", "厂区名称", width=14)
GRADED_ON = Column("valid_from", "认定日期", DATE, width=12)
# Where each row of a county's table sits: county, credit code, enterprise and site (most annexes begin so).
LISTED_SITE_COLUMNS = (COUNTY_NAME, CREDIT_CODE, LISTED_ENTERPRISE, LISTED_SITE)


def grade_column(title: str = "绩效等级", key: str = "grade") -> Column:
    return Column(key, title, CHOICE, choices=GRADE_CHOICES, width=9)


AB_LIST = Layout(
    key="ab_list",
    title="绩效分级A级、B级和绩效引领性企业清单",
    sheet="AB级和引领性企业清单",
    # REQ H21-4
    source="河南省 2021 年重点行业绩效分级提升行动方案第三部分（分四个批次完成审核认定，“将 A 级、B 级、绩效引领性企业清单"
    "（见附件 4）及申报材料一并报省生态环境厅”）",
    note="每行一个厂区的一个行业；按批次导出（涉 VOCs、金属、建材、本地行业及保障类），只含本批次已认定为 A、B、B-、引领性的。",
    columns=(
        NUMBER_COLUMN,
        CITY,
        *LISTED_SITE_COLUMNS,
        INDUSTRY_NAME,
        BRANCH,
        grade_column(),
        Column("batch", "评级批次", width=18),
        GRADED_ON,
        Column("guarantee", "保障类企业", BOOLEAN, width=9),
        Column("remark", "备注", width=24),
    ),
)

APPLICATION_LIST = Layout(
    key="application_list",
    title="重点行业企业环保绩效评级申请名单",
    sheet="评级申请名单",
    # REQ SJZ-2
    source="石家庄市 2020 年紧急通知第一条（一）（二）（填制《重点行业企业环保绩效评级申请名单》，未申报的按最低等级管理、"
    "不纳入本年度评级范围）",
    note="每行一份申报的一个行业；撤回的申报不列入。",
    columns=(
        NUMBER_COLUMN,
        *LISTED_SITE_COLUMNS,
        INDUSTRY_NAME,
        Column("process", "工序/分支", width=14),
        grade_column("申请等级", "target_grade"),
        Column("guarantee", "保障类企业", BOOLEAN, width=9),
        Column("contact_name", "联系人", width=10),
        Column("contact_phone", "联系电话", width=14),
        Column("declaration", "申报编号", width=18),
        Column("state", "申报状态", width=12),
        Column("submitted_on", "提交日期", DATE, width=12),
    ),
)

LOOKBACK_QUALIFICATION = Layout(
    key="lookback_qualification",
    title="重点行业绩效分级资格审查回头看一览表",
    sheet="资格审查回头看一览表",
    # REQ H23-1
    source="河南省 2023 年通知第一条、第七条（6 月 30 日前上报“重点行业绩效分级资格审查回头看一览表”，附件 1）",
    note="每行一个回头看企业（厂区、行业、等级）；未开展的写“未开展”。",
    columns=(
        NUMBER_COLUMN,
        *LISTED_SITE_COLUMNS,
        INDUSTRY_NAME,
        grade_column(),
        GRADED_ON,
        Column("result", "资格审查结果", width=12),
        Column("problems", "存在问题", width=36),
        Column("outcome", "处理意见", width=12),
    ),
)

LOOKBACK_ONSITE = Layout(
    key="lookback_onsite",
    title="重污染天气重点行业绩效分级回头看现场核查表",
    sheet="回头看现场核查表",
    # REQ H23-1, H23-3
    source="河南省 2023 年通知第一条、第七条（7 月 31 日前上报各企业“回头看现场核查表”，附件 2）",
    note="每个企业一张表：资格审查和现场核查回头看的结论、该等级所依据的现场核查逐项结果，以及处理结果。",
    columns=(
        NUMBER_COLUMN,
        Column("item", "核查内容", width=36),
        Column("result", "核查结果", width=14),
        Column("note", "问题描述 / 说明", width=48),
    ),
)

LOOKBACK_PROBLEMS = Layout(
    key="lookback_problems",
    title="重点行业绩效分级现场核查回头看问题企业汇总表",
    sheet="问题企业汇总表",
    # REQ H23-1
    source="河南省 2023 年通知第一条、第七条（问题严重的降级，问题轻微的限期整改；“问题企业汇总表”，附件 3）",
    note="资格审查或现场核查回头看发现问题（轻微或严重）的企业。",
    columns=(
        NUMBER_COLUMN,
        *LISTED_SITE_COLUMNS,
        INDUSTRY_NAME,
        grade_column("原绩效等级"),
        Column("qualification", "资格审查发现的问题", width=32),
        Column("onsite", "现场核查发现的问题", width=32),
        Column("severity", "问题程度", width=10),
        Column("outcome", "处理结果", width=12),
    ),
)

GUARANTEE_REVIEW = Layout(
    key="guarantee_review",
    title="白名单企业与保障类企业审核认定表",
    sheet="白名单与保障类审核认定表",
    # REQ H23-5
    source="河南省 2023 年通知第五条、第七条（严格审核白名单、保障类企业，原则上须达到 B 级及以上或绩效引领性，“以量定产”；"
    "9 月 15 日前上报审核认定表，附件 4）",
    note="每行一个申请或已纳入白名单、保障类的清单条目。",
    columns=(
        NUMBER_COLUMN,
        *LISTED_SITE_COLUMNS,
        Column("category", "类别", width=22),
        Column("industries", "重点行业类型及绩效等级", width=26),
        Column("task", "保障任务", width=28),
        Column("guaranteed_daily_output", "保障任务日产量", NUMBER, width=12),
        Column("normal_daily_output", "正常生产日产量", NUMBER, width=12),
        Column("share", "允许生产比例", width=10),
        Column("status", "审核认定结果", width=12),
        Column("note", "审核意见", width=28),
        Column("year", "清单年度", INTEGER, width=9),
    ),
)
