"""Pages of the referrals app (/referrals/)."""

from django.urls import path

from cairn.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.index, name="index"),
    path("send/", views.send, name="send"),
    path("send/services/", views.service_search, name="service_search"),
    path("sent/", views.sent, name="sent"),
    path("received/", views.received, name="received"),
    path("<int:referral_id>/", views.detail, name="detail"),
    path("<int:referral_id>/step/", views.step, name="step"),
    path("<int:referral_id>/withdraw-consent/", views.withdraw_consent, name="withdraw_consent"),
]
