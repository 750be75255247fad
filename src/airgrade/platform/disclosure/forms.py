"""Page input of the public pages: a report (举报) on a published grade. The form only shapes input; the service
checks the content, the captcha and the throttle and says what is wrong in Chinese."""

from __future__ import annotations

from django import forms


class ObjectionForm(forms.Form):
    content = forms.CharField(label="举报内容", required=False, strip=False)
    captcha_token = forms.CharField(required=False, strip=False)
    captcha_answer = forms.CharField(label="验证码", required=False, strip=False)
    reporter_name = forms.CharField(label="举报人", required=False, strip=False)
    reporter_contact = forms.CharField(label="联系方式", required=False, strip=False)
