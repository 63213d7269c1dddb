"""Images for tests and the demo: a small PNG, in the root collection unless told otherwise."""

from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

import factory


class CouncilImageFactory(factory.django.DjangoModelFactory):
    """`CouncilImageFactory(collection=council.access.private_collection)` makes a private image."""

    class Meta:
        model = "images.CouncilImage"

    title = factory.Sequence(lambda n: f"Photo {n}")
    description = factory.LazyAttribute(lambda image: f"{image.title}, vue de la place")
    collection = factory.LazyFunction(Collection.get_first_root_node)
    file = factory.LazyFunction(lambda: get_test_image_file(colour="blue"))
