from django.apps import AppConfig


class NetworkAnalysisConfig(AppConfig):
    name = "network_analysis"
    verbose_name = "Network analysis"
