"""The demo's French content, as plain data: `manage.py seed_demo` turns it into pages, meetings,
documents and accounts.

The city, Parvis-sur-Lac, and its people are invented. The facts behind the texts come from what
Chambéry (neighbourhood councils run by one or two volunteers, with a short training, a guide and a
sandbox), Paris 14e (spaces handed to residents' collectives) and Nancy (a citizen assembly of 130
members in three colleges, eight sessions over four months, a travel allowance) did with their
participation platforms; the wording is ours.

Bodies are lists of ("h2", text) headings and ("p", html) paragraphs. Agenda items are
(title, duration in minutes, presenter, description). Dates are not here: the command computes them
from today, so the demo always has past and upcoming meetings.
"""

import unicodedata

from wagtail.rich_text import RichText

CITY = "Parvis-sur-Lac"
EMAIL_DOMAIN = "parvis.localhost"
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the local demo accounts
VIDEO_BASE_URL = "https://visio.example.org/"

SITE_SETTINGS = {
    "site_name": f"Parvis — Ville de {CITY}",
    "tagline": "Les conseils citoyens de la ville, leurs réunions et leurs travaux",
    "contact_email": f"participation@{EMAIL_DOMAIN}",
    "contact_phone": "04 79 00 00 00",
    "postal_address": "Mission démocratie locale\nHôtel de ville, place de la Fontaine\n73999 Parvis-sur-Lac",
}

HOME = {
    "title": "Participer à la vie de Parvis-sur-Lac",
    "seo_title": "Accueil",
    "intro": (
        "<p>Sept conseils de quartier, une assemblée citoyenne et des collectifs d’habitantes et "
        "d’habitants font vivre la démocratie locale à Parvis-sur-Lac. Retrouvez leurs prochaines "
        "réunions, leurs ordres du jour et leurs comptes rendus.</p>"
    ),
}

COUNCIL_INDEX_INTRO = (
    "<p>Chaque quartier a son conseil, ouvert à toute personne qui y vit, y travaille ou y étudie. "
    "Choisissez le vôtre pour connaître sa prochaine réunion.</p>"
)

# -- Standard pages under the home page --------------------------------------------------------------

STANDARD_PAGES = [
    {
        "slug": "a-propos",
        "title": "À propos",
        "in_menu": True,
        "intro": "Pourquoi la ville confie aux habitants l’animation de leurs propres espaces en ligne.",
        "body": [
            ("h2", "Des espaces tenus par les habitants"),
            (
                "p",
                "<p>Après une année d’échanges sur la démocratie locale, la ville a refondé ses conseils "
                "de quartier avec des règles plus souples. Chaque conseil dispose désormais d’un espace "
                "sur ce site&nbsp;: il y annonce ses réunions, publie ses ordres du jour et ses comptes "
                "rendus, range ses documents et organise ses groupes de travail, dont certains restent "
                "réservés à ses membres.</p>",
            ),
            (
                "p",
                "<p>Ce sont des bénévoles, un ou deux par conseil, qui font vivre ces espaces. Une "
                "formation collective d’une heure à une heure et demie, un guide pas à pas et un "
                "«&nbsp;bac à sable&nbsp;» pour s’exercer sans risque suffisent le plus souvent pour "
                "démarrer.</p>",
            ),
            ("h2", "Ce que l’on observe"),
            (
                "p",
                "<p>Sur les sept conseils de quartier, trois se sont pleinement approprié leur espace et "
                "le tiennent à jour sans aide. Les publications sont utiles et le ton reste cordial&nbsp;: "
                "la ville garde la main pour retirer un contenu problématique, mais n’a jamais eu à le "
                "faire. Les bénévoles disent surtout y gagner en compétences.</p>",
            ),
            (
                "p",
                "<p>Soyons francs&nbsp;: tout le monde n’est pas à l’aise avec le numérique. Quand un "
                "conseil n’a personne pour tenir son espace, l’équipe communication de la ville publie "
                "pour lui l’agenda et les documents de travail. Des collectifs d’habitants, sur le modèle "
                "de ce qui se fait dans le 14<sup>e</sup> arrondissement de Paris, peuvent aussi recevoir "
                "leur propre espace.</p>",
            ),
            ("h2", "L’assemblée citoyenne"),
            (
                "p",
                "<p>À côté des quartiers, une assemblée de 130 personnes réparties en trois collèges "
                "travaille pendant quatre mois sur l’espace public. Ses séances, ses documents et son "
                'rapport final sont publiés sur <a href="/conseils/assemblee/">la page de '
                "l’assemblée</a>.</p>",
            ),
        ],
    },
    {
        "slug": "manifeste",
        "title": "Manifeste",
        "in_menu": True,
        "intro": "Ce que nous croyons, et ce que ce site cherche à rendre possible.",
        "body": [
            ("h2", "Décider autrement pour obtenir autre chose"),
            (
                "p",
                "<p>Le climat se dérègle, l’information se brouille, la confiance s’use. Nous ne pensons "
                "pas relever ces défis en gardant intactes nos façons de décider. Voter une fois tous les "
                "six ans reste nécessaire, mais ne suffit pas à faire vivre une commune.</p>",
            ),
            ("h2", "Une démocratie de tous les jours"),
            (
                "p",
                "<p>Nous voulons une participation continue, ouverte au plus grand nombre, à l’échelle de "
                "la rue comme de la ville. Cela suppose des règles claires, des comptes rendus publiés, "
                "des décisions que chacun peut retrouver et discuter.</p>",
            ),
            ("h2", "Des outils au service du débat, pas l’inverse"),
            (
                "p",
                "<p>Un site ne fait pas une démocratie. Nous choisissons des logiciels libres, que la "
                "collectivité peut comprendre, modifier et partager, et nous les employons avec esprit "
                "critique&nbsp;: ils doivent servir des décisions plus justes, socialement comme "
                "écologiquement.</p>",
            ),
            ("h2", "La confiance comme méthode"),
            (
                "p",
                "<p>Les habitants sont capables de tenir leurs propres espaces dès qu’on leur donne un "
                "cadre lisible et un peu de confiance. L’accompagnement du départ est léger&nbsp;; ce qui "
                "compte ensuite, c’est de les laisser faire et de reconnaître leur travail.</p>",
            ),
        ],
    },
    {
        "slug": "mentions-legales",
        "title": "Mentions légales",
        "in_menu": False,
        "intro": "Qui édite ce site, qui l’héberge, et ce que deviennent vos données.",
        "body": [
            ("h2", "Éditeur"),
            (
                "p",
                "<p>Ville de Parvis-sur-Lac, hôtel de ville, place de la Fontaine, 73999 Parvis-sur-Lac. "
                "Directeur de la publication&nbsp;: le maire. Contact&nbsp;: "
                '<a href="mailto:participation@parvis.localhost">participation@parvis.localhost</a>.</p>',
            ),
            ("h2", "Hébergement"),
            (
                "p",
                "<p>Le site est hébergé sur les serveurs de la direction des systèmes d’information de "
                "la ville, en France. Ceci est un site de démonstration&nbsp;: la ville, ses quartiers et "
                "ses habitants sont fictifs.</p>",
            ),
            ("h2", "Contenus publiés par les conseils"),
            (
                "p",
                "<p>Les espaces des conseils sont rédigés par leurs bénévoles, sous leur responsabilité. "
                "L’équipe communication de la ville peut modifier ou dépublier tout contenu contraire à "
                "la loi ou à la charte de participation. Pour signaler un contenu, écrivez à l’adresse "
                "ci-dessus.</p>",
            ),
            ("h2", "Données personnelles"),
            (
                "p",
                "<p>Les comptes des membres servent uniquement à accéder aux espaces de leur conseil. "
                "Conformément au règlement général sur la protection des données, vous pouvez consulter, "
                "corriger ou supprimer vos données en écrivant à la mission démocratie locale. Le site ne "
                "dépose aucun cookie de mesure d’audience ni de publicité.</p>",
            ),
            ("h2", "Logiciel"),
            (
                "p",
                "<p>Le site repose sur des logiciels libres, notamment Django et Wagtail.</p>",
            ),
        ],
    },
    {
        "slug": "accessibilite",
        "title": "Déclaration d’accessibilité",
        "in_menu": False,
        "intro": "Où en est le site au regard du référentiel général d’amélioration de l’accessibilité.",
        "body": [
            ("h2", "État de conformité"),
            (
                "p",
                "<p>La ville de Parvis-sur-Lac s’engage à rendre ce site accessible, conformément à "
                "l’article 47 de la loi du 11 février 2005. Le site est <strong>partiellement "
                "conforme</strong> au RGAA version 4.1&nbsp;: l’audit complet n’a pas encore eu lieu, "
                "mais chaque gabarit de page est vérifié automatiquement à chaque évolution.</p>",
            ),
            ("h2", "Contenus qui peuvent poser problème"),
            (
                "p",
                "<ul><li>Certains documents déposés par les conseils (comptes rendus numérisés, "
                "affiches) ne sont pas encore balisés pour les lecteurs d’écran.</li>"
                "<li>Les rediffusions vidéo ne sont pas toutes sous-titrées.</li></ul>",
            ),
            ("h2", "Nous signaler un défaut"),
            (
                "p",
                "<p>Si vous ne parvenez pas à lire un contenu, écrivez-nous à "
                '<a href="mailto:participation@parvis.localhost">participation@parvis.localhost</a>&nbsp;: '
                "nous vous l’enverrons sous une autre forme.</p>",
            ),
            ("h2", "Voies de recours"),
            (
                "p",
                "<p>Si notre réponse ne vous satisfait pas, vous pouvez saisir le Défenseur des droits, "
                "par son formulaire en ligne, auprès de l’un de ses délégués ou par courrier gratuit "
                "(Défenseur des droits, libre réponse 71120, 75342 Paris CEDEX 07).</p>",
            ),
        ],
    },
]

# -- Councils -----------------------------------------------------------------------------------------

LIVELY = "lively"
SPARSE = "sparse"
ASSEMBLY = "assembly"
SANDBOX = "sandbox"

# Every council session opens and closes the same way; the council's own items go in between.
OPENING_ITEM = ("Accueil et approbation du compte rendu précédent", 10, "", "")
CLOSING_ITEM = ("Questions diverses et date de la prochaine séance", 15, "", "")

COUNCILS = [
    # Three lively councils: their volunteers run their space themselves.
    {
        "slug": "centre",
        "title": "Conseil de quartier Centre-Ville",
        "kind": "neighbourhood",
        "profile": LIVELY,
        "area": "Vieille ville, place de la Fontaine, rue du Marché, quai des Tanneurs",
        "intro": (
            "Le conseil du centre se réunit le premier mardi du mois. Ses chantiers du moment : "
            "apaiser la circulation dans la vieille ville, verdir la place de la Fontaine et "
            "préparer les animations de fin d’année avec les commerçants."
        ),
        "contact_name": "Claire Vautrin et Mehdi Aït-Salah, animateurs bénévoles",
        "place": {
            "place_name": "Salle des Tanneurs",
            "place_address": "4 quai des Tanneurs, 73999 Parvis-sur-Lac",
            "access_notes": "Entrée de plain-pied côté quai. Bus lignes 2 et 5, arrêt Fontaine.",
        },
        "series": {"title": "Séance plénière", "weekday": 1, "position": 1},
        "pages": [
            {
                "slug": "qui-sommes-nous",
                "title": "Qui sommes-nous ?",
                "intro": "Une quarantaine d’habitants, de commerçants et d’étudiants du centre.",
                "body": [
                    ("h2", "Un conseil ouvert"),
                    (
                        "p",
                        "<p>Toute personne qui vit, travaille ou étudie dans le centre peut rejoindre le "
                        "conseil&nbsp;: il suffit de venir à une séance. Deux bénévoles animent les "
                        "réunions et tiennent cet espace à jour.</p>",
                    ),
                    ("h2", "Notre fonctionnement"),
                    (
                        "p",
                        "<p>Une séance plénière par mois, publique, et des groupes de travail entre deux. "
                        "Les comptes rendus sont publiés ici en brouillon, puis approuvés à la séance "
                        "suivante.</p>",
                    ),
                ],
            },
            {
                "slug": "groupes-de-travail",
                "title": "Nos groupes de travail",
                "intro": "Trois groupes préparent les propositions soumises à la séance plénière.",
                "body": [
                    ("h2", "Mobilités douces"),
                    (
                        "p",
                        "<p>Zone de rencontre dans la vieille ville, arceaux à vélos, traversées "
                        "piétonnes près des écoles.</p>",
                    ),
                    ("h2", "Place de la Fontaine"),
                    (
                        "p",
                        "<p>Plantations, ombre l’été, bancs&nbsp;: le groupe prépare une proposition pour "
                        "le budget participatif.</p>",
                    ),
                    ("h2", "Vie du quartier"),
                    (
                        "p",
                        "<p>Marché de fin d’année, vide-greniers, accueil des nouveaux habitants.</p>",
                    ),
                ],
            },
        ],
        "private_page": {
            "slug": "espace-membres",
            "title": "Espace des membres",
            "intro": "Réservé aux membres du conseil : notes de travail et contacts.",
            "body": [
                ("h2", "Prochaines étapes du groupe Mobilités"),
                (
                    "p",
                    "<p>Relevé des vitesses rue du Marché avec les services techniques, puis "
                    "questionnaire aux riverains avant la séance de printemps.</p>",
                ),
            ],
        },
        "past_sessions": [
            {
                "agenda": [
                    (
                        "Circulation dans la vieille ville",
                        40,
                        "Groupe Mobilités douces",
                        "Résultats du comptage de vélos et de voitures rue du Marché.",
                    ),
                    ("Budget participatif : idées du quartier", 35, "Mehdi Aït-Salah", ""),
                ],
                "minutes": (
                    "<p>Trente-deux personnes présentes. Le groupe Mobilités a présenté ses comptages : "
                    "aux heures de sortie d’école, les vélos sont désormais plus nombreux que les "
                    "voitures rue du Marché. Les échanges ont porté sur une zone de rencontre limitée "
                    "à 20 km/h.</p><p>Quatre idées ont été retenues pour le budget participatif, dont "
                    "la végétalisation de la place de la Fontaine.</p>"
                ),
                "decisions": [
                    (
                        "Demander à la ville une étude de zone de rencontre rue du Marché.",
                        "adopté à l’unanimité",
                    ),
                ],
                "attendees": 32,
            },
            {
                "agenda": [
                    (
                        "Place de la Fontaine : premières esquisses",
                        45,
                        "Service des espaces verts",
                        "Présentation par une paysagiste de la ville.",
                    ),
                    ("Préparation du marché de fin d’année", 30, "Groupe Vie du quartier", ""),
                    ("Point d’étape du groupe Mobilités douces", 15, "", ""),
                ],
                "minutes": (
                    "<p>La paysagiste de la ville a montré trois esquisses pour la place. Les "
                    "participants préfèrent la variante qui garde le marché du samedi et ajoute des "
                    "arbres côté sud.</p><p>Le marché de fin d’année aura lieu sur le quai, avec une "
                    "vingtaine d’exposants.</p>"
                ),
                "decisions": [
                    (
                        "Retenir l’esquisse n° 2 pour la place de la Fontaine.",
                        "24 pour, 3 contre, 2 abstentions",
                    ),
                    ("Organiser le marché de fin d’année sur le quai des Tanneurs.", "adopté à l’unanimité"),
                ],
                "attendees": 29,
            },
            {
                "agenda": [
                    ("Propreté des rues et dépôts sauvages", 30, "Direction de la propreté", ""),
                    ("Bilan du marché de fin d’année", 20, "Groupe Vie du quartier", ""),
                    ("Dépôt du projet « Place ombragée » au budget participatif", 30, "Claire Vautrin", ""),
                ],
                "minutes": (
                    "<p>La direction de la propreté a présenté le nouveau calendrier de collecte. Les "
                    "habitants signalent des dépôts récurrents derrière les halles&nbsp;; un point de "
                    "collecte supplémentaire sera étudié.</p><p>Le projet «&nbsp;Place ombragée&nbsp;» "
                    "est prêt à être déposé.</p>"
                ),
                "decisions": [
                    ("Déposer le projet « Place ombragée » au budget participatif.", "adopté à l’unanimité"),
                ],
                "attendees": 26,
            },
            {
                "agenda": [
                    ("Sécurité aux abords de l’école Jean-Moulin", 30, "Parents d’élèves", ""),
                    ("Éclairage de la rue des Clercs", 20, "Services techniques", ""),
                    ("Calendrier des séances à venir", 15, "", ""),
                ],
                "minutes": (
                    "<p>Les parents d’élèves demandent un passage piéton surélevé devant l’école. Les "
                    "services techniques remplaceront les lampadaires de la rue des Clercs avant "
                    "l’été.</p><p><em>Compte rendu en attente d’approbation à la prochaine "
                    "séance.</em></p>"
                ),
                "decisions": [
                    (
                        "Soutenir la demande d’un plateau surélevé devant l’école Jean-Moulin.",
                        "adopté à l’unanimité",
                    ),
                ],
                "attendees": 31,
            },
        ],
        "future_sessions": [
            {
                "agenda": [
                    ("Résultats du vote du budget participatif", 20, "Mission démocratie locale", ""),
                    ("Zone de rencontre : avis des riverains", 40, "Groupe Mobilités douces", ""),
                ],
            },
            {
                "format": "hybrid",
                "agenda": [
                    ("Plan de circulation du centre", 45, "Adjointe aux mobilités", ""),
                    ("Fête des voisins : qui organise quoi ?", 25, "Groupe Vie du quartier", ""),
                ],
            },
            {
                "cancelled": (
                    "La salle des Tanneurs est réquisitionnée pour un bureau de vote. Les points prévus "
                    "sont reportés à la séance suivante."
                ),
                "agenda": [("Travaux de la place de la Fontaine", 40, "Services techniques", "")],
            },
            {
                "agenda": [
                    ("Travaux de la place de la Fontaine", 40, "Services techniques", ""),
                    ("Bilan de l’année et renouvellement des animateurs", 30, "", ""),
                ],
            },
        ],
        "documents": [
            ("agenda", "Ordre du jour type d’une séance plénière", "Le déroulé habituel de nos séances."),
            ("minutes", "Compte rendu — séance sur la circulation", "Approuvé à la séance suivante."),
            ("report", "Rapport d’activité du conseil", "Une année de travaux du conseil du centre."),
        ],
        "private_documents": [
            ("report", "Notes internes du groupe Mobilités douces", "Relevés de terrain, à ne pas diffuser."),
        ],
    },
    {
        "slug": "charmettes",
        "title": "Conseil de quartier des Charmettes",
        "kind": "neighbourhood",
        "profile": LIVELY,
        "area": "Les Charmettes, chemin des Vignes, parc du Verger, groupe scolaire Pasteur",
        "intro": (
            "Sur les coteaux, le conseil des Charmettes fait pousser des jardins partagés, veille à la "
            "sécurité des trajets vers l’école et organise chaque année la fête du Verger."
        ),
        "contact_name": "Sophie Guillermin, animatrice bénévole",
        "place": {
            "place_name": "Maison de quartier des Charmettes",
            "place_address": "12 chemin des Vignes, 73999 Parvis-sur-Lac",
            "access_notes": "Salle à l’étage avec ascenseur. Bus ligne 4, arrêt Verger.",
        },
        "series": {"title": "Réunion du conseil", "weekday": 3, "position": 2},
        "pages": [
            {
                "slug": "qui-sommes-nous",
                "title": "Qui sommes-nous ?",
                "intro": "Des voisines et des voisins qui se retrouvent un jeudi par mois.",
                "body": [
                    ("h2", "Le conseil"),
                    (
                        "p",
                        "<p>Le conseil réunit une vingtaine de personnes fidèles et accueille volontiers "
                        "les nouveaux venus. Sophie, bénévole, tient cet espace depuis la formation "
                        "proposée par la ville.</p>",
                    ),
                ],
            },
            {
                "slug": "groupes-de-travail",
                "title": "Nos groupes de travail",
                "intro": "Jardins, école, fête : chacun son rythme.",
                "body": [
                    ("h2", "Jardins partagés"),
                    ("p", "<p>Douze parcelles au parc du Verger, un composteur et une grainothèque.</p>"),
                    ("h2", "Chemin de l’école"),
                    ("p", "<p>Un pédibus deux matins par semaine et un relevé des points dangereux.</p>"),
                ],
            },
        ],
        "past_sessions": [
            {
                "agenda": [
                    ("Jardins partagés : attribution des parcelles", 30, "Groupe Jardins", ""),
                    ("Trottoirs du chemin des Vignes", 30, "Services techniques", ""),
                ],
                "minutes": (
                    "<p>Les douze parcelles ont été attribuées par tirage au sort parmi dix-neuf "
                    "demandes&nbsp;; une liste d’attente est ouverte.</p>"
                ),
                "decisions": [("Ouvrir une liste d’attente pour les parcelles.", "adopté à l’unanimité")],
                "attendees": 21,
            },
            {
                "agenda": [
                    ("Pédibus : bilan du premier mois", 20, "Groupe Chemin de l’école", ""),
                    ("Éclairage du parc du Verger", 30, "Services techniques", ""),
                    ("Fête du Verger : date et budget", 30, "", ""),
                ],
                "minutes": (
                    "<p>Le pédibus accompagne quatorze enfants deux matins par semaine. La fête du "
                    "Verger est fixée au premier samedi de juin.</p>"
                ),
                "decisions": [
                    ("Demander un budget de 800 € pour la fête du Verger.", "19 pour, 1 abstention")
                ],
                "attendees": 20,
            },
            {
                "agenda": [
                    (
                        "Aire de jeux du parc : consultation des enfants",
                        40,
                        "Conseil municipal des enfants",
                        "",
                    ),
                    ("Composteur collectif", 20, "Groupe Jardins", ""),
                ],
                "minutes": (
                    "<p>Les enfants ont présenté leurs dessins pour la future aire de jeux&nbsp;: une "
                    "tyrolienne arrive en tête. Le composteur est installé.</p>"
                ),
                "decisions": [],
                "attendees": 24,
            },
            {
                "agenda": [
                    ("Programme de la fête du Verger", 30, "Groupe Fête", ""),
                    ("Stationnement devant le groupe scolaire", 30, "Police municipale", ""),
                    ("Retour sur la formation des éditeurs du site", 15, "Sophie Guillermin", ""),
                ],
                "minutes": (
                    "<p>La police municipale renforcera sa présence aux heures d’entrée. Le programme "
                    "de la fête est bouclé.</p><p><em>Compte rendu provisoire.</em></p>"
                ),
                "decisions": [("Adopter le programme de la fête du Verger.", "adopté à l’unanimité")],
                "attendees": 18,
            },
        ],
        "future_sessions": [
            {
                "format": "online",
                "agenda": [
                    ("Bilan de la fête du Verger", 20, "Groupe Fête", ""),
                    ("Projet d’aire de jeux : retour de la ville", 30, "Service des sports", ""),
                ],
            },
            {"agenda": [("Jardins : préparation de la saison", 30, "Groupe Jardins", "")]},
            {
                "format": "hybrid",
                "agenda": [
                    (
                        "Plan local d’urbanisme : ce qui change sur les coteaux",
                        50,
                        "Service de l’urbanisme",
                        "",
                    ),
                    ("Pédibus : recherche de parents accompagnateurs", 20, "", ""),
                ],
            },
            {"agenda": [("Renouvellement du bureau", 30, "", "")]},
        ],
        "documents": [
            ("minutes", "Compte rendu — attribution des parcelles", ""),
            ("report", "Carte des points dangereux sur le chemin de l’école", ""),
            ("agenda", "Ordre du jour de la réunion de rentrée", ""),
        ],
        "private_documents": [
            ("other", "Liste des jardiniers et de leurs parcelles", "Coordonnées : réservé aux membres."),
        ],
    },
    {
        "slug": "rive-du-lac",
        "title": "Conseil de quartier Rive-du-Lac",
        "kind": "neighbourhood",
        "profile": LIVELY,
        "area": "Port, plage municipale, avenue du Lac, lotissement des Roseaux",
        "intro": (
            "Entre le port et la plage, le conseil de Rive-du-Lac travaille sur l’accès aux berges, le "
            "stationnement de l’été et la piste cyclable qui doit relier le quartier au centre."
        ),
        "contact_name": "Jean-Baptiste Morel et Aïcha Benali",
        "place": {
            "place_name": "Capitainerie, salle du Belvédère",
            "place_address": "1 quai du Port, 73999 Parvis-sur-Lac",
            "access_notes": "Rampe d’accès côté parking. Navette du lac, arrêt Port.",
        },
        "series": {"title": "Assemblée de quartier", "weekday": 2, "position": 3},
        "pages": [
            {
                "slug": "qui-sommes-nous",
                "title": "Qui sommes-nous ?",
                "intro": "Riverains du lac, plaisanciers, commerçants de l’avenue : tout le monde a sa place.",
                "body": [
                    ("h2", "Notre conseil"),
                    (
                        "p",
                        "<p>Le conseil se réunit le troisième mercredi du mois. Ses deux animateurs se "
                        "partagent la tenue de cet espace et la rédaction des comptes rendus.</p>",
                    ),
                ],
            },
            {
                "slug": "groupes-de-travail",
                "title": "Nos groupes de travail",
                "intro": "Berges, vélo, saison estivale.",
                "body": [
                    ("h2", "Berges propres"),
                    ("p", "<p>Deux matinées de nettoyage par an avec les écoles et le club d’aviron.</p>"),
                    ("h2", "Piste cyclable"),
                    ("p", "<p>Suivi du tracé entre le port et la gare avec la direction des mobilités.</p>"),
                ],
            },
        ],
        "past_sessions": [
            {
                "agenda": [
                    ("Stationnement estival : bilan", 30, "Police municipale", ""),
                    ("Nettoyage des berges", 20, "Groupe Berges propres", ""),
                ],
                "minutes": (
                    "<p>Le stationnement payant de l’été a réduit les voitures ventouses. Le nettoyage "
                    "des berges a rassemblé soixante bénévoles et trois classes.</p>"
                ),
                "decisions": [("Reconduire le nettoyage des berges au printemps.", "adopté à l’unanimité")],
                "attendees": 27,
            },
            {
                "agenda": [
                    ("Tracé de la piste cyclable port–gare", 50, "Direction des mobilités", ""),
                    ("Bruit nocturne sur la plage", 25, "", ""),
                ],
                "minutes": (
                    "<p>Deux tracés sont à l’étude&nbsp;; le conseil préfère celui qui longe le lac "
                    "malgré son coût. Une médiation de nuit sera testée l’été prochain.</p>"
                ),
                "decisions": [("Soutenir le tracé en bord de lac.", "22 pour, 4 contre")],
                "attendees": 30,
            },
            {
                "agenda": [
                    ("Accès des personnes à mobilité réduite à la plage", 30, "Association Handi-Lac", ""),
                    ("Questions des plaisanciers", 20, "Capitainerie", ""),
                    ("Préparation de la réunion publique sur la piste", 20, "", ""),
                ],
                "minutes": (
                    "<p>Handi-Lac demande un tapis d’accès jusqu’à l’eau et un fauteuil de baignade. "
                    "La ville étudiera un achat pour la saison prochaine.</p>"
                ),
                "decisions": [],
                "attendees": 23,
            },
            {
                "agenda": [
                    ("Retour sur la réunion publique", 30, "Jean-Baptiste Morel", ""),
                    ("Éclairage de l’avenue du Lac", 25, "Services techniques", ""),
                ],
                "minutes": (
                    "<p>La réunion publique a réuni une centaine de personnes, majoritairement "
                    "favorables au tracé en bord de lac.</p><p><em>Compte rendu provisoire.</em></p>"
                ),
                "decisions": [
                    (
                        "Transmettre la synthèse de la réunion publique au conseil municipal.",
                        "adopté à l’unanimité",
                    )
                ],
                "attendees": 25,
            },
        ],
        "future_sessions": [
            {
                "format": "hybrid",
                "agenda": [
                    ("Calendrier des travaux de la piste cyclable", 40, "Direction des mobilités", ""),
                    ("Saison estivale : ce qui change", 30, "", ""),
                ],
            },
            {
                "agenda": [
                    ("Tapis d’accès à la plage : réponse de la ville", 20, "", ""),
                    ("Nettoyage de printemps", 20, "Groupe Berges propres", ""),
                ],
            },
            {
                "format": "online",
                "agenda": [("Point d’étape à distance : piste et berges", 45, "", "")],
            },
            {"agenda": [("Préparation de l’été", 45, "", "")]},
        ],
        "documents": [
            ("report", "Synthèse de la réunion publique sur la piste cyclable", ""),
            ("minutes", "Compte rendu — stationnement estival", ""),
            ("agenda", "Ordre du jour de l’assemblée de quartier", ""),
        ],
        "private_documents": [
            ("report", "Brouillon de courrier au conseil municipal", "Version de travail, non publiée."),
        ],
    },
    # Four sparse councils: little online, the city publishes for one of them.
    {
        "slug": "gare",
        "title": "Conseil de quartier de la Gare",
        "kind": "neighbourhood",
        "profile": SPARSE,
        "area": "Gare, faubourg Saint-Jean, rue de l’Industrie",
        "intro": (
            "Le conseil de la Gare se réunit surtout en présentiel. En attendant qu’un ou une bénévole "
            "prenne en main cet espace, la mission démocratie locale y publie les dates de réunion."
        ),
        "contact_name": "Mission démocratie locale",
        "place": {
            "place_name": "Centre social Saint-Jean",
            "place_address": "27 faubourg Saint-Jean, 73999 Parvis-sur-Lac",
            "access_notes": "Accessible de plain-pied.",
        },
        "upcoming": {
            "title": "Réunion de rentrée du conseil de la Gare",
            "days_ahead": 16,
            "agenda": [
                ("Présentation du conseil aux nouveaux habitants", 30, "Mission démocratie locale", ""),
                ("Qui souhaite tenir l’espace en ligne du conseil ?", 20, "", ""),
                ("Travaux du parvis de la gare", 40, "Services techniques", ""),
            ],
        },
    },
    {
        "slug": "hauts-de-parvis",
        "title": "Conseil de quartier des Hauts-de-Parvis",
        "kind": "neighbourhood",
        "profile": SPARSE,
        "area": "Les Hauts, plateau des Chênes, hameau de Montfort",
        "intro": (
            "Quartier le plus étendu de la ville, entre lotissements et hameaux. Le conseil cherche des "
            "volontaires pour faire vivre son espace en ligne."
        ),
        "contact_name": "",
    },
    {
        "slug": "bellevue",
        "title": "Conseil de quartier Bellevue",
        "kind": "neighbourhood",
        "profile": SPARSE,
        "area": "Bellevue, résidence des Tilleuls, avenue de Savoie",
        "intro": (
            "Le conseil de Bellevue se réunit deux fois par an. Ses comptes rendus sont affichés à la "
            "maison de quartier."
        ),
        "contact_name": "",
    },
    {
        "slug": "pres-verts",
        "title": "Conseil de quartier des Prés-Verts",
        "kind": "neighbourhood",
        "profile": SPARSE,
        "area": "Prés-Verts, zone des Tuileries, chemin de halage",
        "intro": ("Le conseil des Prés-Verts vient d’être renouvelé. Sa première réunion sera annoncée ici."),
        "contact_name": "",
    },
    # The citizen assembly.
    {
        "slug": "assemblee",
        "title": "Assemblée citoyenne de Parvis-sur-Lac",
        "kind": "assembly",
        "profile": ASSEMBLY,
        "area": "Toute la ville",
        "intro": (
            "Cent trente habitantes et habitants travaillent pendant quatre mois sur l’espace public de "
            "la ville. Ils se répartissent en trois collèges : des volontaires, des personnes tirées au "
            "sort sur les listes électorales et des représentants des ateliers de vie de quartier. Huit séances "
            "aboutissent à un rapport remis au conseil municipal. Chaque séance suivie donne droit à une "
            "indemnité de déplacement de 20 €."
        ),
        "contact_name": "Secrétariat de l’assemblée citoyenne",
        "place": {
            "place_name": "Hôtel de ville, salle du Conseil",
            "place_address": "Place de la Fontaine, 73999 Parvis-sur-Lac",
            "access_notes": "Ascenseur à gauche du hall. Boucle magnétique disponible à l’accueil.",
        },
        "pages": [
            {
                "slug": "fonctionnement",
                "title": "Comment fonctionne l’assemblée",
                "intro": "Trois collèges, huit séances, un rapport.",
                "body": [
                    ("h2", "Trois collèges"),
                    (
                        "p",
                        "<ul><li>des volontaires qui ont répondu à l’appel à candidatures&nbsp;;</li>"
                        "<li>des personnes tirées au sort sur les listes électorales&nbsp;;</li>"
                        "<li>des représentants des ateliers de vie de quartier, qui font le lien avec "
                        "les conseils de quartier.</li></ul>",
                    ),
                    ("h2", "Se former, débattre, voter"),
                    (
                        "p",
                        "<p>Les séances alternent formation par des experts, agents et élus, travail en "
                        "petits groupes tirés au hasard et votes en plénière. La première séance a lieu "
                        "en visioconférence, pour présenter la démarche sans demander de déplacement.</p>",
                    ),
                    ("h2", "Indemnité et présence"),
                    (
                        "p",
                        "<p>Chaque présence, attestée par la feuille d’émargement, est indemnisée 20 €. "
                        "L’expérience d’autres villes montre que cela ne suffit pas à garder tout le monde "
                        "jusqu’au bout&nbsp;: nous publions la participation de chaque séance pour en "
                        "tirer les leçons.</p>",
                    ),
                ],
            },
        ],
        # Days from the first session (like the source: Saturdays two weeks apart, then a closing run). All
        # eight are past; "attendees" is how many members were present (the attendance records follow it).
        "sessions": [
            {
                "offset": 0,
                "title": "Séance 1 — Lancement de l’assemblée",
                "format": "online",
                "duration": 120,
                "agenda": [
                    ("Mot d’accueil du maire", 10, "", ""),
                    ("Le calendrier, les acteurs et les objectifs", 50, "Mission démocratie locale", ""),
                    ("Questions des membres", 40, "", ""),
                ],
                "minutes": (
                    "<p>Première rencontre, à distance, pour présenter le calendrier et le rôle de chacun. "
                    "Les questions ont surtout porté sur l’indemnité et sur la suite donnée au rapport.</p>"
                ),
                "attendees": 128,
            },
            {
                "offset": 14,
                "title": "Séance 2 — Nos instances de participation",
                "duration": 180,
                "agenda": [
                    ("Résultats du questionnaire sur les instances de participation", 30, "", ""),
                    ("Travail en groupes tirés au sort", 100, "", ""),
                    ("Restitution et vote de confiance sur chaque proposition", 45, "", ""),
                ],
                "minutes": (
                    "<p>Après la synthèse du questionnaire, les membres ont travaillé trois heures en neuf "
                    "groupes tirés au sort. Chaque groupe a rapporté ses propositions, et chacune a reçu un "
                    "vote de confiance avant d’être approfondie.</p>"
                ),
                "decisions": [
                    (
                        "Retenir six des sept propositions pour modifier la charte de participation.",
                        "vote de confiance",
                    )
                ],
                "attendees": 90,
            },
            {
                "offset": 28,
                "title": "Séance 3 — Qu’est-ce que l’espace public ?",
                "duration": 180,
                "agenda": [
                    ("Regards croisés d’une urbaniste et d’un sociologue", 60, "", ""),
                    ("Ateliers : les lieux que l’on aime, ceux que l’on évite", 90, "", ""),
                    ("Mise en commun", 25, "", ""),
                ],
                "minutes": "<p>Séance de formation et de diagnostic&nbsp;: chaque groupe a cartographié ses lieux.</p>",
                "attendees": 75,
            },
            {
                "offset": 42,
                "title": "Séance 4 — Enjeux et résolutions",
                "format": "hybrid",
                "duration": 180,
                "agenda": [
                    ("Témoignages d’agents de la ville et de la métropole", 45, "", ""),
                    ("Rédaction des résolutions en groupes", 90, "", ""),
                    ("Vote en plénière", 40, "", ""),
                ],
                "minutes": (
                    "<p>Trois résolutions et cinq zones prioritaires ont été votées en plénière.</p>"
                ),
                "decisions": [
                    ("Adopter trois résolutions et cinq zones prioritaires.", "adopté à la majorité")
                ],
                "attendees": 66,
            },
            {
                "offset": 70,
                "title": "Séance 5 — Préciser les résolutions",
                "duration": 180,
                "agenda": [
                    ("Se former aux outils de concertation", 40, "", ""),
                    ("Approfondir chaque résolution", 100, "", ""),
                    ("Choisir un outil de concertation par résolution", 30, "", ""),
                ],
                "minutes": (
                    "<p>Chaque groupe a précisé sa résolution et choisi un outil pour consulter les "
                    "habitants&nbsp;: marches exploratoires, questionnaire, ateliers sur place.</p>"
                ),
                "attendees": 58,
            },
            {
                "offset": 90,
                "title": "Séance 6 — Rédiger le rapport",
                "duration": 150,
                "agenda": [
                    ("Plan du rapport", 20, "", ""),
                    ("Rédaction en groupes", 100, "", ""),
                ],
                "minutes": "<p>Le plan du rapport a été adopté&nbsp;; chaque groupe a rédigé son chapitre.</p>",
                "attendees": 53,
            },
            {
                "offset": 91,
                "title": "Séance 7 — Modifier la charte de participation",
                "duration": 150,
                "agenda": [
                    ("Relecture des propositions retenues en séance 2", 40, "", ""),
                    ("Amendements et vote", 90, "", ""),
                ],
                "minutes": (
                    "<p>Les six propositions retenues en séance 2 ont été rédigées en amendements à la "
                    "charte de participation.</p>"
                ),
                "decisions": [("Proposer six amendements à la charte de participation.", "adopté")],
                "attendees": 51,
            },
            {
                "offset": 103,
                "title": "Séance 8 — Vote du rapport et comité de suivi",
                "duration": 180,
                "agenda": [
                    ("Vote du rapport sur l’espace public", 60, "", ""),
                    ("Constitution du comité de suivi", 40, "", ""),
                    ("Bilan de l’assemblée", 60, "", ""),
                ],
                "minutes": (
                    "<p>Le rapport sur l’espace public a été voté. Un comité de suivi de huit membres "
                    "présentera les travaux au conseil municipal. Une cinquantaine de personnes étaient "
                    "présentes.</p>"
                ),
                "decisions": [("Adopter le rapport sur l’espace public.", "adopté à la majorité")],
                "attendees": 49,
                "draft": True,
            },
        ],
        # After the eight sessions: the follow-up meeting, ahead (members check in there with its code).
        "upcoming": {
            "title": "Réunion de suivi — présenter le rapport au conseil municipal",
            "days_ahead": 10,
            "agenda": [
                ("Préparer la présentation du rapport", 60, "Comité de suivi", ""),
                ("Suites données aux trois résolutions", 35, "", ""),
            ],
        },
        "documents": [
            ("report", "Synthèse du questionnaire sur les instances de participation", ""),
            ("other", "Charte de l’assemblée citoyenne", "Règles de fonctionnement et indemnité de 20 €."),
            ("agenda", "Calendrier des huit séances", ""),
        ],
        "private_documents": [
            ("other", "Feuilles d’émargement", "Pour le versement des indemnités : réservé aux membres."),
        ],
    },
    # The sandbox: a practice space for editors in training.
    {
        "slug": "bac-a-sable",
        "title": "Bac à sable",
        "kind": "collective",
        "profile": SANDBOX,
        "is_sandbox": True,
        "area": "Espace d’entraînement",
        "intro": (
            "Un espace pour s’exercer sans risque : créez une réunion, publiez un compte rendu, déposez "
            "un document. Rien de ce qui est fait ici n’apparaît sur le site public."
        ),
        "contact_name": "Équipe communication",
        "pages": [
            {
                "slug": "guide",
                "title": "Guide de prise en main",
                "intro": "Les cinq gestes de base d’un éditeur bénévole.",
                "body": [
                    ("h2", "1. Annoncer une réunion"),
                    (
                        "p",
                        "<p>Dans «&nbsp;Réunions&nbsp;», ajoutez une page&nbsp;: date, lieu, lien de "
                        "visioconférence le cas échéant, puis l’ordre du jour point par point avec sa "
                        "durée.</p>",
                    ),
                    ("h2", "2. Planifier une série"),
                    ("p", "<p>«&nbsp;Tous les premiers mardis jusqu’en juin&nbsp;» se crée en une fois.</p>"),
                    ("h2", "3. Publier le compte rendu"),
                    (
                        "p",
                        "<p>Dans l’onglet «&nbsp;Compte rendu&nbsp;» de la réunion, publiez d’abord un "
                        "brouillon, puis marquez-le approuvé après la séance suivante.</p>",
                    ),
                    ("h2", "4. Déposer un document"),
                    (
                        "p",
                        "<p>Choisissez la collection de votre conseil, ou sa collection privée pour un "
                        "document réservé aux membres.</p>",
                    ),
                    ("h2", "5. Demander de l’aide"),
                    ("p", "<p>L’équipe communication répond à participation@parvis.localhost.</p>"),
                ],
            },
        ],
        "upcoming": {
            "title": "Réunion d’essai",
            "days_ahead": 7,
            "agenda": [("Point à modifier librement", 30, "", "")],
        },
    },
]

# Accounts that are not tied to one council.
GLOBAL_ACCOUNTS = [
    {"username": "admin", "role": "superuser", "first_name": "Alix", "last_name": "Administratrice"},
    {"username": "ville", "role": "communications", "first_name": "Camille", "last_name": "Communication"},
]

# A member of the citizen assembly (workshop representatives' college) who also sits on the Centre-Ville
# council and its mobility working group: the account to try "Mon espace", a vote and a check-in.
PARTICIPANT = {
    "username": "participante",
    "role": "participant",
    "first_name": "Louise",
    "last_name": "Garnier",
    "council": "assemblee",
    "also": "centre",
}

# Role labels, in the demo's language (printed by `demo_accounts` and in the README).
ROLE_LABELS = {
    "superuser": "administrateur de la plateforme (superutilisateur)",
    "communications": "équipe communication de la ville",
    "editor": "éditeur bénévole",
    "member": "membre",
    "participant": "membre, et d’un groupe de travail (vote, pointage)",
}


def council_usernames(slug):
    return {"editor": f"editeur-{slug}", "member": f"membre-{slug}"}


def demo_accounts():
    """[(username, role key, council slug or "")] for every demo account, in a stable order."""
    accounts = [(a["username"], a["role"], "") for a in GLOBAL_ACCOUNTS]
    for council in COUNCILS:
        names = council_usernames(council["slug"])
        accounts.append((names["editor"], "editor", council["slug"]))
        accounts.append((names["member"], "member", council["slug"]))
    accounts.append((PARTICIPANT["username"], PARTICIPANT["role"], PARTICIPANT["council"]))
    return accounts


def body_blocks(spec):
    """StreamField data for a BodyBlock from [("h2"|"h3"|"h4", text) | ("p", html)] pairs."""
    blocks = []
    for kind, content in spec:
        if kind in ("h2", "h3", "h4"):
            blocks.append(("heading", {"text": content, "level": kind}))
        elif kind == "p":
            blocks.append(("paragraph", RichText(content)))
        else:
            raise ValueError(f"Unknown body block kind: {kind!r}")
    return blocks


# -- News (blog app): the city's blog at /actualites/ and the lively councils' news ------------------
# Each post: slug, title, date offset (days before today), author, intro, tags, body spec. A body spec
# item is a body_blocks pair, or ("quote", text, attribution) or ("video", url, title).

CITY_NEWS = [
    {
        "slug": "replay-webinaire-parvis-mode-d-emploi",
        "title": "Replay : le webinaire « Parvis, mode d’emploi »",
        "days_ago": 6,
        "author": "Par la mission participation citoyenne",
        "intro": (
            "Vous n’avez pas pu suivre le webinaire de présentation de la plateforme ? "
            "Le replay est en ligne : une heure pour prendre en main l’espace de votre conseil."
        ),
        "tags": ["webinaire", "plateforme"],
        "body": [
            (
                "p",
                "<p>Le webinaire a réuni une soixantaine d’animatrices et d’animateurs de conseils. "
                "Au programme : publier une réunion, déposer un compte rendu, inviter les membres.</p>",
            ),
            # A freely licensed film (Blender's "Big Buck Bunny") stands in for the recording; offline, the
            # page shows a plain link to it.
            ("video", "https://www.youtube.com/watch?v=aqz-KE-bpKQ", "Webinaire « Parvis, mode d’emploi »"),
            ("h2", "Les questions qui sont revenues"),
            (
                "p",
                "<p>Comment rendre un document réservé aux membres ? Qui relit avant publication ? "
                "Les réponses figurent dans le guide des éditeurs, accessible depuis l’administration.</p>",
            ),
            (
                "quote",
                "On a publié notre premier ordre du jour en dix minutes.",
                "Une animatrice du conseil des Charmettes",
            ),
        ],
    },
    {
        "slug": "rencontre-annuelle-inscriptions-ouvertes",
        "title": "Rencontre annuelle des utilisateurs de Parvis : les inscriptions sont ouvertes",
        "days_ago": 2,
        "author": "Par la mission participation citoyenne",
        "intro": (
            "Une journée de conférences et d’ateliers pour les conseils, les services et toutes les "
            "personnes curieuses de la participation citoyenne. Gratuit, sur inscription."
        ),
        "tags": ["rencontre annuelle", "plateforme"],
        "body": [
            (
                "p",
                "<p>Le programme complet, les salles et le formulaire d’inscription sont sur la page "
                "de l’événement, dans l’agenda de la ville. L’inscription est gratuite mais obligatoire : "
                "les places sont comptées.</p>",
            ),
        ],
    },
    {
        "slug": "budget-participatif-2026-les-projets-retenus",
        "title": "Budget participatif 2026 : les projets retenus",
        "days_ago": 20,
        "author": "Par la direction de la démocratie locale",
        "intro": "Douze projets proposés par les habitantes et habitants seront réalisés cette année.",
        "tags": ["budget participatif"],
        "body": [
            (
                "p",
                "<p>Après trois semaines de vote, douze projets ont été retenus, pour un montant total "
                "de 450 000 euros. Les conseils de quartier suivront leur réalisation.</p>",
            ),
        ],
    },
]

COUNCIL_NEWS = {
    "centre": [
        {
            "slug": "la-place-de-la-fontaine-se-met-au-vert",
            "title": "La place de la Fontaine se met au vert",
            "days_ago": 3,
            "author": "Par le groupe de travail Place de la Fontaine",
            "intro": "Jardinières, bancs et ombre : le projet présenté en réunion publique a été adopté.",
            "tags": ["végétalisation", "budget participatif"],
            "body": [
                (
                    "p",
                    "<p>Les premières plantations commenceront à l’automne, avec les écoles du quartier.</p>",
                )
            ],
        },
        {
            "slug": "marche-de-noel-appel-aux-benevoles",
            "title": "Marché de Noël : appel aux bénévoles",
            "days_ago": 12,
            "author": "Par Claire Vautrin",
            "intro": "Le conseil cherche des volontaires pour tenir le stand des associations du centre.",
            "tags": ["animations"],
            "body": [("p", "<p>Inscrivez-vous auprès des animateurs du conseil avant la fin du mois.</p>")],
        },
        {
            "slug": "visite-du-chantier-complet",
            "title": "Visite du chantier de la Fontaine : c’est complet",
            "days_ago": 1,
            "author": "Par Mehdi Aït-Salah",
            "intro": "Les quinze places sont prises ; inscrivez-vous sur la liste d’attente si une place se libère.",
            "tags": ["végétalisation", "animations"],
            "body": [
                (
                    "p",
                    "<p>Si une personne inscrite se désiste, la première personne de la liste d’attente "
                    "reçoit un courriel et dispose de 48 heures pour confirmer sa place.</p>",
                )
            ],
        },
    ],
    "charmettes": [
        {
            "slug": "jardin-partage-premiere-recolte",
            "title": "Jardin partagé : première récolte",
            "days_ago": 5,
            "author": "Par les jardiniers des Charmettes",
            "intro": "Courges, tomates et un grand pique-nique : le jardin partagé a fêté sa première saison.",
            "tags": ["végétalisation", "vie de quartier"],
            "body": [("p", "<p>Merci aux trente familles qui ont pris soin des parcelles tout l’été.</p>")],
        },
        {
            "slug": "rue-des-ecoles-plus-sure",
            "title": "Une rue des écoles plus sûre",
            "days_ago": 25,
            "author": "Par le conseil de quartier des Charmettes",
            "intro": "La circulation sera fermée aux heures d’entrée et de sortie des classes dès la rentrée.",
            "tags": ["mobilité"],
            "body": [("p", "<p>Le conseil avait porté cette demande lors de sa réunion de printemps.</p>")],
        },
        {
            "slug": "fete-des-voisins-retour-en-images",
            "title": "Fête des voisins : trois cents personnes au square des Vignes",
            "days_ago": 40,
            "author": "Par le conseil de quartier des Charmettes",
            "intro": "Un buffet partagé, une fanfare et les premiers rendez-vous du jardin partagé.",
            "tags": ["vie de quartier", "animations"],
            "body": [("p", "<p>Merci aux associations du quartier qui ont prêté tables et barnums.</p>")],
        },
    ],
    "rive-du-lac": [
        {
            "slug": "nettoyage-des-berges-bilan",
            "title": "Nettoyage des berges : le bilan",
            "days_ago": 9,
            "author": "Par le conseil de la Rive-du-Lac",
            "intro": "Quatre-vingts participants et deux cents kilos de déchets ramassés le long du lac.",
            "tags": ["environnement", "vie de quartier"],
            "body": [("p", "<p>Rendez-vous au printemps prochain pour une nouvelle édition.</p>")],
        },
        {
            "slug": "ponton-du-port-accessible",
            "title": "Le ponton du port devient accessible",
            "days_ago": 16,
            "author": "Par le groupe de travail Berges",
            "intro": "Une rampe et une main courante permettront bientôt à chacun de rejoindre la navette du lac.",
            "tags": ["accessibilité", "mobilité"],
            "body": [
                (
                    "p",
                    "<p>Les travaux, demandés par le conseil depuis deux ans, dureront trois semaines.</p>",
                ),
                (
                    "quote",
                    "Avec une poussette ou un fauteuil, c’était tout simplement impossible.",
                    "Une habitante du quai du Port",
                ),
            ],
        },
        {
            "slug": "berges-propres-on-recommence",
            "title": "Berges propres : on recommence",
            "days_ago": 30,
            "author": "Par le conseil de la Rive-du-Lac",
            "intro": "Gants, sacs et pinces sont fournis : rendez-vous samedi matin devant la capitainerie.",
            "tags": ["environnement"],
            "body": [("p", "<p>Venez en famille : un goûter attend les participants à midi.</p>")],
        },
    ],
}


def news_body_blocks(spec):
    """StreamField data for a post's body: body_blocks pairs, plus quotes and videos."""
    blocks = []
    for item in spec:
        if item[0] == "quote":
            blocks.append(("quote", {"text": item[1], "attribution": item[2]}))
        elif item[0] == "video":
            blocks.append(("video", {"video": item[1], "title": item[2]}))
        else:
            blocks.extend(body_blocks([item]))
    return blocks


# -- Events (events app): the city's agenda at /agenda/ and the councils' events ----------------------
# Dates are computed by the command: `weekday` (0 = Monday) of the first such day at least `days_ahead`
# days after today. Sessions are (start "HH:MM", end "HH:MM" or "", title, room, speakers, description).

MEETUP_ROOMS = [
    ("Auditorium", "Au rez-de-chaussée à gauche, de plain-pied ; boucle magnétique"),
    ("Salle du Lac", "Au premier étage, ascenseur à droite de l’accueil"),
    ("Salle des Tilleuls", "Au premier étage, au fond du couloir"),
    ("Foyer", "Au rez-de-chaussée, face à l’entrée"),
]

MEETUP = {
    "slug": "rencontre-annuelle-des-utilisateurs-de-parvis",
    "title": "Rencontre annuelle des utilisateurs de Parvis",
    "weekday": 4,  # a Friday
    "days_ahead": 42,
    "start": "09:30",
    "end": "17:00",
    "place": {
        "place_name": "Maison de la vie associative",
        "place_address": "8 avenue du Lac, 73999 Parvis-sur-Lac",
        "access_notes": (
            "Bâtiment accessible de plain-pied, ascenseur vers le premier étage. Bus lignes 1 et 3, "
            "arrêt Vie associative ; parking vélos devant l’entrée."
        ),
    },
    "summary": (
        "Une journée de conférences et d’ateliers pour les conseils, les services de la ville et toutes "
        "les personnes curieuses de la participation citoyenne. Gratuit, inscription obligatoire."
    ),
    "audience": "Animatrices et animateurs des conseils, membres, agents de la ville, tout public",
    "price_details": "Petit déjeuner et repas offerts.",
    "capacity": 120,
    "image": {
        "slug": "illustration-rencontre-annuelle",
        "title": "Rencontre annuelle — illustration",
        "alt": "Illustration : des rangées de participants, de dos, face à l’écran d’un auditorium.",
    },
    "rooms": MEETUP_ROOMS,
    "body": [
        (
            "p",
            "<p>C’est le rendez-vous de toutes celles et ceux qui font vivre Parvis : conseils de quartier, "
            "assemblée citoyenne, collectifs d’habitants et services de la ville. Conférences et ateliers "
            "d’approfondissement autour de vos démarches, des enjeux de la participation citoyenne et de "
            "la plateforme elle-même.</p>",
        ),
        ("h2", "Cette journée vous permettra"),
        (
            "p",
            "<ul><li>de découvrir les dernières nouveautés de Parvis ;</li>"
            "<li>de rencontrer d’autres personnes engagées dans la participation citoyenne ;</li>"
            "<li>de partager vos expériences et vos idées pour la feuille de route.</li></ul>",
        ),
        ("h2", "Inscription"),
        (
            "p",
            "<p>L’inscription est gratuite mais obligatoire, dans la limite des places disponibles. "
            "Indiquez-nous vos besoins d’accessibilité (interprétation en langue des signes, "
            "transcription, régime alimentaire…) : nous nous organisons pour y répondre.</p>",
        ),
    ],
    "sessions": [
        ("09:30", "10:00", "Accueil et petit déjeuner", "Foyer", "", ""),
        (
            "10:00",
            "10:45",
            "Introduction : une année de participation à Parvis-sur-Lac",
            "Auditorium",
            "Mission participation citoyenne",
            "Les conseils, l’assemblée citoyenne et les collectifs en chiffres et en histoires.",
        ),
        (
            "11:00",
            "12:00",
            "Actualités de Parvis et présentation de la feuille de route ouverte",
            "Auditorium",
            "Équipe de la plateforme",
            "Ce qui a changé cette année, ce qui vient, et comment proposer vos propres priorités.",
        ),
        ("12:15", "13:30", "Pause repas et échanges entre pairs", "Foyer", "", ""),
        (
            "13:30",
            "14:45",
            "Nouveaux outils : événements, inscriptions et liste d’attente",
            "Salle du Lac",
            "Camille Roussel",
            "Atelier pratique : publier un événement, suivre les inscriptions, pointer les présents.",
        ),
        (
            "13:30",
            "14:45",
            "Nouveaux outils : actualités, étiquettes et flux",
            "Salle des Tilleuls",
            "Claire Vautrin",
            "Atelier pratique : tenir les actualités de son conseil et les faire suivre par flux RSS.",
        ),
        (
            "13:30",
            "14:45",
            "Questions-réponses avec l’équipe de la plateforme",
            "Auditorium",
            "Équipe de la plateforme",
            "Venez avec vos questions : comptes, documents, confidentialité.",
        ),
        (
            "15:00",
            "16:00",
            "Plénière : organisations apprenantes, logiciel libre et médiation numérique",
            "Auditorium",
            "Emmanuelle Roux",
            "Par Emmanuelle Roux, cofondatrice du Chaudron.io, ex-membre du Conseil national du numérique "
            "et chevalière de l’ordre national du Mérite.",
        ),
        ("16:30", "17:00", "Conclusion de la journée", "Auditorium", "", ""),
    ],
    "registrations": 10,
}

# A council event that is full, with people waiting (and, once a seat frees, an offer).
FULL_EVENT = {
    "council": "centre",
    "slug": "visite-du-chantier-de-la-place-de-la-fontaine",
    "title": "Visite du chantier de la place de la Fontaine",
    "weekday": 5,  # a Saturday
    "days_ahead": 10,
    "start": "10:00",
    "end": "12:00",
    "place": {
        "place_name": "Place de la Fontaine, devant la fontaine",
        "place_address": "Place de la Fontaine, 73999 Parvis-sur-Lac",
        "access_notes": "Parcours de plain-pied, casques fournis. Bus lignes 2 et 5, arrêt Fontaine.",
    },
    "summary": (
        "Les paysagistes de la ville présentent les plantations et les futurs bancs de la place. "
        "Visite limitée à quinze personnes pour des raisons de sécurité."
    ),
    "audience": "Habitantes et habitants du centre",
    "capacity": 15,
    "body": [
        (
            "p",
            "<p>Une visite du chantier à hauteur de piéton, avec les paysagistes et les membres du groupe "
            "de travail Place de la Fontaine. Prévoyez de bonnes chaussures.</p>",
        )
    ],
    "registrations": 15,
    "waiting": 4,
}

# A council event without registration: come as you are.
OPEN_EVENT = {
    "council": "rive-du-lac",
    "slug": "balade-commentee-du-front-de-lac",
    "title": "Balade commentée du front de lac",
    "weekday": 6,  # a Sunday
    "days_ahead": 18,
    "start": "14:30",
    "end": "16:30",
    "place": {
        "place_name": "Capitainerie, devant l’entrée",
        "place_address": "1 quai du Port, 73999 Parvis-sur-Lac",
        "access_notes": "Parcours de deux kilomètres, sans marche, bancs tous les deux cents mètres.",
    },
    "summary": "Deux heures à pied le long des berges, à la découverte des projets du conseil.",
    "audience": "Tout public",
    "body": [
        (
            "p",
            "<p>Sans inscription : rendez-vous devant la capitainerie. La balade est maintenue par "
            "temps de pluie légère.</p>",
        )
    ],
}

# People registering in the demo (addresses on the demo's own domain: no email goes anywhere real).
REGISTRANT_ORGANISATIONS = ["", "Conseil de quartier des Charmettes", "", "Association Lac Vivant", ""]


def registrant(number):
    """A made-up person for the demo's registrations: (name, email, organisation)."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[(number * 3) % len(LAST_NAMES)]
    local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
    organisation = REGISTRANT_ORGANISATIONS[number % len(REGISTRANT_ORGANISATIONS)]
    # Unique for numbers below 140 (the least common multiple of the two lists' lengths).
    return f"{first} {last}", f"{local}@inscrits.{EMAIL_DOMAIN}", organisation


FIRST_NAMES = (
    "Amandine", "Bruno", "Chantal", "Djamel", "Élodie", "Fabien", "Gaëlle", "Hugo", "Inès", "Julien",
    "Karima", "Laurent", "Manon", "Nicolas", "Océane", "Pascal", "Rachida", "Samuel", "Thérèse", "Yann",
)  # fmt: skip
LAST_NAMES = (
    "Arnaud", "Besson", "Chevallier", "Duret", "Favre", "Girod", "Jacquier", "Lambert", "Mermoz",
    "Perrier", "Revel", "Tissot", "Vial", "Ziani",
)  # fmt: skip


# -- French typography --------------------------------------------------------------------------------

_FRENCH_SPACES = (
    (" :", "\u00a0:"),
    (" ;", "\u00a0;"),
    (" ?", "\u00a0?"),
    (" !", "\u00a0!"),
    ("« ", "«\u00a0"),
    (" »", "\u00a0»"),
)


def french_spacing(value):
    """No-break spaces before : ; ? ! and inside « » (a colon never starts a line), in a string or in
    the nested lists, tuples and dicts of a content spec."""
    if isinstance(value, str):
        for plain, nbsp in _FRENCH_SPACES:
            value = value.replace(plain, nbsp)
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(french_spacing(item) for item in value)
    if isinstance(value, dict):
        return {key: french_spacing(item) for key, item in value.items()}
    return value
