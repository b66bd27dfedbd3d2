from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from agencies.signals import password_changed
        from timeline import services

        def revoke_feed(sender, user, **kwargs):
            services.calendar_token_revoke(user=user)

        password_changed.connect(revoke_feed, weak=False, dispatch_uid="timeline.revoke_feed")
