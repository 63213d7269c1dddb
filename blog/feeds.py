"""RSS and Atom feeds of a blog, or of one tag in a blog: listed posts only."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _


class BlogFeed(Feed):
    feed_type = Rss201rev2Feed
    items_count = 20

    def __init__(self, blog, tag=None):
        super().__init__()
        self.blog = blog
        self.tag = tag

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.blog

    def title(self, blog):
        if self.tag is not None:
            return _("%(blog)s — tag: %(tag)s") % {"blog": blog.title, "tag": self.tag.name}
        return blog.title

    def link(self, blog):
        url = blog.get_url(self.request)
        if self.tag is not None:
            url += blog.reverse_subpage("tag_route", args=[self.tag.slug])
        return url

    def description(self, blog):
        return _("The latest news of %(blog)s.") % {"blog": blog.title}

    def items(self, blog):
        posts = blog.posts_tagged(self.tag) if self.tag is not None else blog.posts()
        return posts.with_tags()[: self.items_count]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.intro

    def item_link(self, post):
        return post.get_url(self.request)

    def item_author_name(self, post):
        return post.author or None

    def item_pubdate(self, post):
        return timezone.make_aware(datetime.combine(post.date, time(9, 0)))

    def item_updateddate(self, post):
        return post.last_published_at or self.item_pubdate(post)

    def item_categories(self, post):
        return [item.tag.name for item in post.tagged_items.all()]


class BlogRssFeed(BlogFeed):
    feed_type = Rss201rev2Feed


class BlogAtomFeed(BlogFeed):
    feed_type = Atom1Feed
    subtitle = BlogFeed.description
