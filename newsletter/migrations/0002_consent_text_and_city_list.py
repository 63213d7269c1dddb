from django.db import migrations

CONSENT_V1 = (
    "J’accepte de recevoir par courriel la lettre d’information des listes choisies. Mon adresse sert "
    "uniquement à cet envoi ; elle n’est ni vendue ni communiquée aux conseils. Je peux me désinscrire à "
    "tout moment par le lien présent dans chaque lettre. Une inscription non confirmée est effacée après "
    "7 jours."
)


def forwards(apps, schema_editor):
    apps.get_model("newsletter", "ConsentText").objects.get_or_create(version=1, defaults={"text": CONSENT_V1})
    NewsletterList = apps.get_model("newsletter", "NewsletterList")
    if not NewsletterList.objects.filter(council__isnull=True).exists():
        NewsletterList.objects.create(council=None)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
