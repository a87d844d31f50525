from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit


@method_decorator(ratelimit(key="ip", rate="10/m", method="POST", block=True), name="post")
@method_decorator(ratelimit(key="post:username", rate="10/m", method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Without ?next=, each role lands on its own work: verifiers on the complaint cases,
        editors on the knowledge base, organisers and speakers on their events."""
        from django.urls import reverse  # noqa: PLC0415 -- leaf

        role = getattr(self.request.user, "role", "")
        if role == "verifier" and not self.request.user.is_superuser:
            return reverse("complaints:cases")
        if role == "editor" and not self.request.user.is_superuser:
            return reverse("knowledge:catalogue")
        if role == "speaker" and not self.request.user.is_superuser:
            from netral.events.models import Event  # noqa: PLC0415 -- leaf

            event = (Event.objects.filter(sessions__speakers__user=self.request.user)
                     .order_by("-starts_at").first())
            return reverse("discussion:moderation", kwargs={"pk": event.pk}) if event else reverse("core:home")
        return super().get_default_redirect_url()
