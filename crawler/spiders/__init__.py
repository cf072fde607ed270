"""Scrapy spiders: one registry-driven spider, `portal`."""
