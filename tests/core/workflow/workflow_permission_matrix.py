"""The permission matrix of the declaration workflow, written by hand as data (not derived from the table).

For every transition: the one role that may take it, a state it starts from, and the preconditions that must
hold. The test runs every role × transition × in / out of scope against airgrade.core.workflow.check.
"""

from airgrade.core.types import Role

# action → (role allowed, a source state)
EXPECTED = {
    "declaration.submit": (Role.ENTERPRISE, "draft"),
    "declaration.resubmit": (Role.ENTERPRISE, "returned"),
    "declaration.withdraw": (Role.ENTERPRISE, "city_review"),
    "declaration.county_accept": (Role.COUNTY, "submitted"),
    "declaration.county_return": (Role.COUNTY, "county_review"),
    "declaration.county_pass": (Role.COUNTY, "county_review"),
    "declaration.county_grade": (Role.COUNTY, "county_review"),
    "declaration.city_accept": (Role.CITY, "county_passed"),
    "declaration.city_return": (Role.CITY, "city_review"),
    "declaration.city_pass": (Role.CITY, "city_review"),
    "declaration.city_pass_lower": (Role.CITY, "city_review"),
    "declaration.report_to_province": (Role.CITY, "city_passed"),
    "declaration.province_verify": (Role.PROVINCE, "province_verification"),
    "declaration.province_adjust": (Role.PROVINCE, "province_verification"),
}

# The states each action may NOT start from (every other state is refused too; these are the likely mistakes).
OUT_OF_ORDER = {
    "declaration.submit": ["submitted", "county_review", "verified"],
    "declaration.resubmit": ["draft", "county_review"],
    "declaration.withdraw": ["county_graded", "verified", "adjusted", "withdrawn"],
    "declaration.county_accept": ["draft", "county_review", "returned"],
    "declaration.county_pass": ["submitted", "county_passed", "city_review"],
    "declaration.county_grade": ["submitted", "county_graded"],
    "declaration.city_accept": ["county_review", "county_graded", "city_review"],
    "declaration.city_pass": ["county_passed", "city_passed"],
    "declaration.city_pass_lower": ["county_passed", "city_passed", "province_verification"],
    "declaration.report_to_province": ["city_review", "province_verification"],
    "declaration.province_verify": ["city_review", "city_passed", "verified"],
    "declaration.province_adjust": ["city_passed", "adjusted"],
}
