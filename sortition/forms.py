from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_SEED

ALGORITHM_LABELS = (
    ("maximin", _("Maximin (recommended): the fairest chance for every candidate")),
    ("nash", _("Nash: fair chances too, slower on large pools")),
    ("legacy", _("Legacy: the fastest, the Sortition Foundation’s historical method")),
)


class DrawForm(forms.Form):
    """A new draw: its title, how many people, the two files, an optional seed, the algorithm."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example “Citizen assembly 2027: drawn college”."),
    )
    panel_size = forms.IntegerField(
        label=_("Number of people to draw"), min_value=1, max_value=10000, initial=12
    )
    candidates_file = forms.FileField(
        label=_("Candidates (CSV file)"),
        help_text=_(
            "One line per person: columns “id”, “nom”, “email” (optional), then one column per feature "
            "of the quotas file (for example “genre”, “age”, “quartier”). Separator “;” or “,”, UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    quotas_file = forms.FileField(
        label=_("Quotas (CSV file)"),
        help_text=_("One line per feature value: columns “critere”, “valeur”, “min”, “max”."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=1,
        max_value=MAX_SEED,
        help_text=_(
            "Leave empty for a random seed. With the same files, seed and algorithm, the same panel is "
            "drawn: a seed chosen in public (dice, a lottery draw) lets anyone check the draw."
        ),
    )
    algorithm = forms.ChoiceField(
        label=_("Algorithm"), choices=ALGORITHM_LABELS, initial="maximin", widget=forms.RadioSelect
    )
