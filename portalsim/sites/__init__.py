"""One module per platform family; SITE_CLASSES maps family name -> site class."""
from portalsim.sites.aspnet import AspNetSite
from portalsim.sites.drupal import DrupalSite
from portalsim.sites.layout import LayoutSite
from portalsim.sites.liferay import LiferaySite
from portalsim.sites.sharepoint import SharePointSite
from portalsim.sites.vnportal import VnPortalSite
from portalsim.sites.wordpress import WordPressSite

__all__ = ["SITE_CLASSES", "LayoutSite"]
SITE_CLASSES = {s.family: s for s in (DrupalSite, SharePointSite, LiferaySite, VnPortalSite, AspNetSite, WordPressSite)}
