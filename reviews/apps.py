from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from lens.signals import version_published
        from reviews.services.upgrades import reviews_follow_minor_version

        # A minor version takes the reviews of its line with it, in the publishing transaction.
        version_published.connect(reviews_follow_minor_version, dispatch_uid="reviews.follow_minor_version")
