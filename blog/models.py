"""News: the city's blog at /actualites/ and one per council, with tags, tag pages and feeds.

Every listing, tag list and feed is built from `listed()` posts (core.visibility), so a members-only,
draft or sandbox post never shows — nor do the tags only it carries.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import BodyBlock
from core.models import BasePage, LeadImageMixin
from core.visibility import VisiblePageManager, VisiblePageQuerySet, attach_councils


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey("blog.BlogPage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("post tag")
        verbose_name_plural = _("post tags")


class BlogPageQuerySet(VisiblePageQuerySet):
    def for_cards(self):
        """Newest first, with what a card shows (the image and its renditions) fetched in a fixed number of
        queries. A card shows no tags: feeds, which do, add `with_tags()`."""
        return (
            self.select_related("lead_image")
            .prefetch_related("lead_image__renditions")
            .order_by("-date", "-first_published_at", "-pk")
        )

    def with_tags(self):
        """Each post's tags in one query (the tag rows joined)."""
        return self.prefetch_related(
            models.Prefetch("tagged_items", queryset=BlogPageTag.objects.select_related("tag"))
        )


class BlogPageManager(VisiblePageManager.from_queryset(BlogPageQuerySet)):
    pass


def latest_posts(parent=None, count=3, *, council=None, attach=True):
    """The newest listed posts (of the whole site, or under `parent`), each with its `.council` — given
    when known (`parent` inside that council: a query less), else looked up (unless `attach` is false: the
    caller attaches councils to several lists at once)."""
    posts = BlogPage.objects.listed()
    if parent is not None:
        posts = posts.descendant_of(parent)
    posts = list(posts.for_cards()[:count])
    if council is not None:
        for post in posts:
            post.council = council
    elif attach:
        attach_councils(posts)
    return posts


def listed_tags(posts):
    """Tags carried by these posts (a queryset of BlogPage), with their number of posts, by name."""
    return (
        Tag.objects.filter(blog_blogpagetag_items__content_object__in=posts.values("pk"))
        .annotate(post_count=Count("blog_blogpagetag_items", distinct=True))
        .order_by("name")
    )


class BlogIndexPage(RoutablePageMixin, BasePage):
    """A blog: the city's news at /actualites/, or a council's news under its page."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage", "councils.CouncilPage"]
    subpage_types = ["blog.BlogPage"]

    posts_per_page = 10

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def posts(self):
        """This blog's listed posts, newest first."""
        return BlogPage.objects.child_of(self).listed().for_cards()

    def tags(self):
        return listed_tags(BlogPage.objects.child_of(self).listed())

    def tag_or_404(self, slug):
        tag = self.tags().filter(slug=slug).first()
        if tag is None:
            raise Http404
        return tag

    def posts_tagged(self, tag):
        return self.posts().filter(tagged_items__tag=tag)

    def paginate(self, request, posts):
        paginator = Paginator(posts, self.posts_per_page)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            raise Http404 from None
        attach_councils(page_obj.object_list)
        return page_obj

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag = kwargs.get("tag")
        posts = self.posts_tagged(tag) if tag else self.posts()
        page_obj = self.paginate(request, posts)
        context.update(page_obj=page_obj, posts=page_obj.object_list, tag=tag, tags=self.tags())
        return context

    @path("")
    def index_route(self, request):
        return self.render(request)

    @re_path(r"^tag/(?P<tag_slug>[-\w]+)/$")
    def tag_route(self, request, tag_slug):
        return self.render(request, tag=self.tag_or_404(tag_slug), template="blog/blog_tag_page.html")

    @path("rss/")
    def rss_route(self, request):
        from .feeds import BlogRssFeed

        return BlogRssFeed(self)(request)

    @path("atom/")
    def atom_route(self, request):
        from .feeds import BlogAtomFeed

        return BlogAtomFeed(self)(request)

    @re_path(r"^tag/(?P<tag_slug>[-\w]+)/rss/$")
    def tag_rss_route(self, request, tag_slug):
        from .feeds import BlogRssFeed

        return BlogRssFeed(self, self.tag_or_404(tag_slug))(request)

    @re_path(r"^tag/(?P<tag_slug>[-\w]+)/atom/$")
    def tag_atom_route(self, request, tag_slug):
        from .feeds import BlogAtomFeed

        return BlogAtomFeed(self, self.tag_or_404(tag_slug))(request)


class BlogPage(LeadImageMixin, BasePage):
    """A news post."""

    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.CharField(
        _("author line"), max_length=200, blank=True, help_text=_("For example: “By the council's office”.")
    )
    intro = models.TextField(_("introduction"), help_text=_("A few lines shown in lists and feeds."))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True, verbose_name=_("tags"))

    objects = BlogPageManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("author")], heading=_("Publication")),
        FieldPanel("intro"),
        LeadImageMixin.lead_image_panel(),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        indexes = [models.Index(fields=["date"], name="blog_blogpage_date")]

    def related_posts(self, count=3, *, tag_ids=None):
        """Listed posts sharing a tag with this one, the most shared tags first, then the newest (`tag_ids`:
        this post's tags when the caller has read them already)."""
        if tag_ids is None:
            tag_ids = [item.tag_id for item in self.tagged_items.all()]
        if not tag_ids:
            return []
        posts = list(
            BlogPage.objects.listed()
            .exclude(pk=self.pk)
            .filter(tagged_items__tag_id__in=tag_ids)
            .annotate(shared_tags=Count("tagged_items", distinct=True))
            .select_related("lead_image")
            .prefetch_related("lead_image__renditions")
            .order_by("-shared_tags", "-date", "-pk")[:count]
        )
        attach_councils(posts)
        return posts

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The blog's own fields are not shown (its title, its address, its tag pages' addresses): no query
        # for its specific row, and none for the parent itself when the routing kept it.
        blog = self.get_parent().specific_deferred
        tags = sorted(self.tags.all(), key=lambda t: t.name)  # one query (and the draft's tags in previews)
        # A tag links to its page only when that page lists something (a listed post of this blog).
        linked = set(blog.tags().filter(pk__in=[t.pk for t in tags]).values_list("pk", flat=True))
        for tag in tags:
            tag.has_page = tag.pk in linked
        related = self.related_posts(tag_ids=[t.pk for t in tags])
        context.update(blog=blog, related_posts=related, post_tags=tags)
        return context
