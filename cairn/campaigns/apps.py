from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "cairn.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
