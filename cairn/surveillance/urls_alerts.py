"""URLs: alerts, the inbox, subscriptions and spike rules; included at "alerts/"."""

from django.urls import path

from cairn.surveillance.views import alerts as views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("<int:alert_id>/status/", views.alert_transition, name="alert_transition"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:subscription_id>/delete/", views.unsubscribe, name="unsubscribe"),
    path("spike-rules/", views.spike_rules, name="spike_rules"),
]
