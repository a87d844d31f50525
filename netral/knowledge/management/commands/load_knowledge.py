from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load or refresh the shipped knowledge-base content (edited rows are kept)."

    def handle(self, *args, **options):
        from netral.knowledge.loader import load_content
        from netral.knowledge.selectors import invalidate_index

        counts = load_content()
        invalidate_index()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
