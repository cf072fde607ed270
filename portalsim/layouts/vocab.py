"""The words a layout is drawn from: class names, headings, menus, labels, URL shapes.

Data only. Every role has meaningful names (Vietnamese and English, as real themes name
their blocks) and every layout also draws meaningless ones (`c-x12`, `box_3`, `col-md-8`),
so no class name can be relied on to find the article.
"""
from __future__ import annotations

# role -> meaningful class names seen in Vietnamese portal themes
MEANINGFUL: dict[str, tuple[str, ...]] = {
    "page": ("wrapper", "page-wrap", "site", "khung", "main-wrapper", "body-wrap", "container"),
    "header": ("header", "banner", "top", "dau-trang", "site-header", "top-header"),
    "menu": ("menu", "mainmenu", "nav-main", "topmenu", "menu-ngang", "navbar"),
    "main": ("content", "main-content", "col-main", "noi-dung-chinh", "center", "ContentPane", "cot-giua"),
    "article": ("news-detail", "chitiet", "tin-chi-tiet", "article-detail", "detail", "ArticleDetail",
                "newsdetail", "chi-tiet-tin", "post-detail", "NewsDetail"),
    "title": ("title", "news-title", "tieude", "ArticleTitle", "detail-title", "title-detail",
              "post-title", "tieu-de-tin", "Title", "tieu-de"),
    "date": ("PostDate", "date", "ngay-dang", "time-post", "news-date", "ngaydang", "publish-date",
             "datetime", "ngay", "thoigian"),
    "meta": ("news-info", "meta", "info", "thong-tin", "post-meta", "article-info", "tool-bar-top"),
    "sapo": ("ArticleSummary", "sapo", "tomtat", "lead", "summary", "trichdan", "news-lead", "mota",
             "tom-tat", "Summary"),
    "body": ("ArticleContent", "noidung", "content-detail", "news-content", "detail-content",
             "post-content", "noi-dung", "chitiet-noidung", "entry-body", "NoiDung", "bodytext"),
    "byline": ("author", "tacgia", "tac-gia", "ArticleAuthor", "signature", "news-author", "nguoiviet"),
    "related": ("other-news", "tin-khac", "related", "lienquan", "news-other", "tinlienquan",
                "relate-news", "tin-cung-chuyen-muc"),
    "sidebar": ("sidebar", "right", "col-right", "left-col", "cot-phai", "side", "cot-trai", "aside"),
    "toolbar": ("tools", "toolbar", "cong-cu", "print-tools", "share", "social", "tien-ich"),
    "caption": ("caption", "image-caption", "chuthich", "img-desc", "photo-caption", "chu-thich-anh"),
    "footer": ("footer", "chan-trang", "bottom", "site-footer", "copyright", "ban-quyen"),
    "listing": ("list-news", "news-list", "danhsach", "category-list", "list", "items", "ds-tin"),
    "item": ("item", "news-item", "list-item", "tin", "row-news", "post-item", "box-tin"),
    "pager": ("pager", "pagination", "phantrang", "paging", "page-nav", "phan-trang"),
    "breadcrumb": ("breadcrumb", "duong-dan", "path", "breadcrumbs", "dinh-vi"),
    "block": ("block", "box", "module", "widget", "portlet", "khoi", "panel"),
    "heading": ("block-title", "box-title", "title-box", "heading", "module-title", "tieude-khoi",
                "cat-title", "title-cat"),
    "teaser": ("featured", "tin-noi-bat", "hot-news", "highlight", "top-news", "tin-tieu-diem"),
    "attach": ("attachments", "file-dinh-kem", "tai-lieu", "files", "dinh-kem"),
    "clock": ("clock", "date-time", "today", "ngay-hien-tai", "time-now", "ngaythang"),
    "counter": ("counter", "thong-ke", "visitor", "luot-truy-cap", "stats"),
}
ROLES = tuple(MEANINGFUL)

# meaningless names: grid classes and generated ids of page builders
GRID = ("col-md-8", "col-lg-9", "col-sm-12", "row", "span9", "grid_8", "container-fluid", "clearfix",
        "col-md-4", "col-xs-12", "pull-left", "d-flex", "mt-3", "inner", "wrap", "content-inner", "ct",
        "col-9", "g-col", "fl", "w100")
NONSENSE_PREFIX = ("c", "x", "b", "k", "pn", "box", "mod", "blk", "zone", "w", "el", "r", "u", "ct", "g",
                   "div", "sec", "pnl", "t", "ms")
NONSENSE_SEP = ("-", "_", "", "-x")
VENDOR_PREFIX = ("vnp-", "cms-", "qt-", "lh-", "tt-", "ds-", "pt-", "ht-", "egov-", "")

# ASP.NET WebForms control ids: placeholder prefixes and label names per role
WEBFORMS_PREFIX = ("ctl00_ContentPlaceHolder1_ctl00_", "ctl00_MainContent_ucNewsDetail_", "ctl00_cphMain_ctl01_",
                   "ctl00_ContentPlaceHolder1_NewsDetail1_", "dnn_ctr1523_ViewNews_")
WEBFORMS_LABELS = {
    "title": ("lblTieuDe", "lblTitle", "lblTenTin"), "date": ("lblNgayDang", "lblDate", "lblNgayTao"),
    "sapo": ("lblTomTat", "lblSummary", "lblMoTa"), "body": ("lblNoiDung", "lblContent", "lblChiTiet"),
    "byline": ("lblTacGia", "lblAuthor", "lblNguoiViet"), "article": ("pnlNewsDetail", "pnChiTiet", "divDetail"),
}
# the vendor layout three provinces share (issue 14): these names are fixed, the rest is drawn
POSTDATE_NAMES = {"date": "PostDate", "body": "ArticleContent", "sapo": "ArticleSummary", "title": "ArticleTitle",
                  "article": "ArticleDetail"}

VENDORS = ("postdate", "webforms", "nukeviet", "joomla", "bootstrap", "tables", "plain")
FAMILIES = ("drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress")

WRAPPER_TAGS = ("div", "div", "div", "section", "article", "main", "table", "div")
TITLE_TAGS = ("h1", "h1", "h2", "h3", "div", "span", "p", "h4")

# headings other blocks put before the article in source order
BLOCK_HEADINGS = ("Tin nổi bật", "Thông báo", "Tin mới", "Tin xem nhiều", "Tin tức - Sự kiện", "Tiêu điểm",
                  "Tin mới cập nhật")
SIDE_BLOCKS = ("Tin nổi bật", "Tin mới", "Tin xem nhiều", "Tin mới cập nhật", "Tiêu điểm")
RELATED_HEADINGS = ("Tin khác", "Tin liên quan", "Các tin đã đưa", "Tin cùng chuyên mục", "Tin khác")
COUNTER_TITLES = ("Thống kê truy cập", "Số lượt truy cập", "NGƯỜI ONLINE", "Thống kê truy cập")

NEWS_ANCHORS = {  # menu anchor text of the news section -> its path slug
    "Tin tức": "tin-tuc", "Tin tức - Sự kiện": "tin-tuc-su-kien", "Hoạt động": "hoat-dong",
    "Tin địa phương": "tin-dia-phuong", "Thông báo": "thong-bao", "Tin hoạt động": "tin-hoat-dong",
}
OTHER_MENU = {"Giới thiệu": "gioi-thieu", "Văn bản": "van-ban", "Liên hệ": "lien-he", "Hỏi đáp": "hoi-dap",
              "Thủ tục hành chính": "thu-tuc-hanh-chinh", "Thông báo": "thong-bao", "Lịch công tác": "lich-cong-tac"}

TOOLBAR_ITEMS = ("In bài", "In trang", "Gửi email", "Chế độ ban đêm", "Xuất PDF", "Đọc nội dung", "-A A +A",
                 "Nghe đọc bài", "PrintAaa", "Chia sẻ", "Zalo", "Facebook", "Lưu tin")
TOOLBAR_CATALOGUE = ("In trang", "Chế độ ban đêm", "Xuất PDF", "Đọc nội dung", "-A A +A", "Nghe đọc bài", "PrintAaa")
CMS_ACCOUNTS = ("Đăng bởi: admin", "Người đăng: admin", "Author: admin", "Người đăng: quantri", "Đăng bởi: Admin")
VIEW_LABELS = ("Lượt xem", "Lượt truy cập", "Lượt đọc")

# article URL shapes outside the six families, and each family's own
ARTICLE_SHAPES = ("view_article", "pages_hex", "article_id_n", "en_page", "tin_tuc_html", "query_id", "chi_tiet",
                  "p_id", "slug_id", "cat_slug_id_html", "vi_post", "numeric", "dnn")
FAMILY_SHAPES = {
    "drupal": ("drupal_alias", "drupal_node"), "wordpress": ("wp_dated", "wp_slug", "wp_query"),
    "liferay": ("lr_view_content", "lr_asset", "lr_details"), "sharepoint": ("sp_dated", "sp_item"),
    "vnportal": ("vnp_htm",), "aspnet": ("numeric", "slug_id"),
}
PAGINATIONS = ("query_page", "query_Page", "query_p", "path_page", "path_trang")
NEXT_LABELS = ("Trang sau", "»", "Sau", "Tiếp »", "›", "Trang tiếp")
LISTINGS = ("ul", "thumb", "table", "cards")
SAPOS = ("none", "p_strong", "h2", "h4", "div", "italic_p")
CAPTIONS = ("table", "figure", "em", "pcenter", "div")
DATE_POSITIONS = ("above_title", "below_title", "meta_row", "after_body")
SLOGAN = "Quyết tâm thực hiện thắng lợi Nghị quyết Đại hội Đảng bộ {where} lần thứ {n}, nhiệm kỳ 2020 - 2025"
