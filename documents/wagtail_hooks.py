from wagtail import hooks

from .rich_text import PrivacyAwareDocumentLinkHandler


@hooks.register("register_rich_text_features", order=100)
def register_privacy_aware_document_links(features):
    # After wagtail.documents registered its own handler for the "document" link type: replace it.
    features.register_link_type(PrivacyAwareDocumentLinkHandler)
