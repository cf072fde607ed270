"""govcrawl's crawler: the Scrapy project, the portal registry and the command line."""

__version__ = "0.1.0"
