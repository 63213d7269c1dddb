"""Embed finders for tests: no test reaches the network."""

from wagtail.embeds.exceptions import EmbedNotFoundException
from wagtail.embeds.finders.base import EmbedFinder


class OfflineFinder(EmbedFinder):
    """Behaves like the oEmbed finder with no network: the provider cannot be reached."""

    def accept(self, url):
        return True

    def find_embed(self, url, max_width=None, max_height=None):
        raise EmbedNotFoundException


class TimeoutFinder(OfflineFinder):
    """A provider that hangs up mid-answer: an error the oEmbed finder does not turn into EmbedException."""

    def find_embed(self, url, max_width=None, max_height=None):
        raise TimeoutError("The read operation timed out")


class WorkingFinder(OfflineFinder):
    def find_embed(self, url, max_width=None, max_height=None):
        return {
            "title": "Replay",
            "type": "video",
            "html": '<iframe title="Replay" src="https://www.youtube-nocookie.com/embed/x"></iframe>',
            "width": 640,
            "height": 360,
        }
