"""Legacy Vietnamese font encodings: the tables, round trips, the conservative detector, the hook."""
from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from cleaning import extract_article
from cleaning.legacy import (MIN_EVIDENCE_WORDS, TCVN3_TO_UNICODE, VNI_TO_UNICODE, detect_legacy,
                             fix_legacy)
from cleaning.normalize import decode_html, nfc
from evaluation.datasets import EvalDataMissing, find_eval_dir

SEEDS = Path("/work/shared/seeds")

TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # ngang, sắc, huyền, hỏi, ngã, nặng
VOWELS = ["a", "a\u0306", "a\u0302", "e", "e\u0302", "i", "o", "o\u0302", "o\u031b", "u", "u\u031b", "y"]
SMALL_LETTERS = {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} - set("aeiouy") | {"đ"}
ALL_LETTERS = SMALL_LETTERS | {letter.upper() for letter in SMALL_LETTERS}
# the capitals TCVN3 cannot tell from their small letters
TONED_CAPITALS = {letter.upper() for letter in SMALL_LETTERS} - set("ĂÂĐÊÔƠƯ")

# Unicode -> windows-1252 reading of the legacy bytes: the inverse tables. A TCVN3 toned capital
# is typed with its small letter's code (the capitals font draws it capital).
TO_TCVN3 = {letter: code for code, letter in TCVN3_TO_UNICODE.items()}
TO_TCVN3.update({capital: TO_TCVN3[capital.lower()] for capital in TONED_CAPITALS})
TO_VNI = {letter: code for code, letter in VNI_TO_UNICODE.items()}


def encode(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in nfc(text))


def assert_tcvn3_round_trip(original: str, fixed: str) -> None:
    """Exact, except that toned capitals may come back small (the encoding has no code for them)."""
    original = nfc(original)
    assert fixed.lower() == original.lower()
    for want, got in zip(original.split(), fixed.split(), strict=True):
        if not TONED_CAPITALS & set(want):
            assert got == want


# every tone on every vowel, small and capital; đ/Đ; ă â ê ô ơ ư at word starts
EVERY_LETTER = """ta tá tà tả tã tạ, tăng tắng tằng tẳng tẵng tặng, tân tấn tần tẩn tẫn tận.
te té tè tẻ tẽ tẹ, tê tế tề tể tễ tệ, ti tí tì tỉ tĩ tị, to tó tò tỏ tõ tọ.
tô tố tồ tổ tỗ tộ, tơ tớ tờ tở tỡ tợ, tu tú tù tủ tũ tụ, tư tứ từ tử tữ tự, ty tý tỳ tỷ tỹ tỵ.
TA TÁ TÀ TẢ TÃ TẠ, TĂNG TẮNG TẰNG TẲNG TẴNG TẶNG, TÂN TẤN TẦN TẨN TẪN TẬN.
TE TÉ TÈ TẺ TẼ TẸ, TÊ TẾ TỀ TỂ TỄ TỆ, TI TÍ TÌ TỈ TĨ TỊ, TO TÓ TÒ TỎ TÕ TỌ.
TÔ TỐ TỒ TỔ TỖ TỘ, TƠ TỚ TỜ TỞ TỠ TỢ, TU TÚ TÙ TỦ TŨ TỤ, TƯ TỨ TỪ TỬ TỮ TỰ, TY TÝ TỲ TỶ TỸ TỴ.
Đi đâu đó, đồng chí Đặng? Ăn uống, âm nhạc, êm đềm, ôn tập, ơn nghĩa, ưng thuận.
Ông Nguyễn Văn Hà, Chủ tịch Ủy ban nhân dân tỉnh Lạng Sơn, dự hội nghị sơ kết công tác thi đua.
QUYẾT ĐỊNH VỀ VIỆC BAN HÀNH QUY CHẾ PHỐI HỢP CỦA SỞ NỘI VỤ VÀ BAN THI ĐUA - KHEN THƯỞNG TỈNH."""


def _in_windows_1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def seed_paragraphs() -> list[str]:
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip(f"no seed pages in {SEEDS}")
    paragraphs = [p.strip() for f in files for p in f.read_text("utf-8").split("\n\n")]
    return [p for p in paragraphs if len(p.split()) >= 20]


# -- the tables ----------------------------------------------------------------------------------
def test_tcvn3_table_is_complete_and_single_byte():
    assert set(TCVN3_TO_UNICODE.values()) == SMALL_LETTERS | set("ĂÂĐÊÔƠƯ")
    assert len(TCVN3_TO_UNICODE) == 74  # 67 small letters and 7 capitals; the other capitals share codes
    for code in TCVN3_TO_UNICODE:
        assert len(code.encode("cp1252")) == 1 and code.encode("cp1252") >= b"\xa1"


def test_vni_table_is_complete():
    assert set(VNI_TO_UNICODE.values()) == ALL_LETTERS and len(VNI_TO_UNICODE) == 134
    for code, letter in VNI_TO_UNICODE.items():
        assert 1 <= len(code.encode("cp1252")) <= 2
        # a two-byte letter is its base letter (ASCII, or VNI's ơ/ư) and a diacritic byte
        base = VNI_TO_UNICODE.get(code[0], code[0])
        assert len(code) == 1 or unicodedata.normalize("NFD", base)[0] == unicodedata.normalize("NFD", letter)[0]


@pytest.mark.parametrize("mojibake,expected", [
    ("QuyÕt ®Þnh sè 18 cña Uû ban nh©n d©n tØnh", "Quyết định số 18 của Uỷ ban nhân dân tỉnh"),
    ("Quyeát ñònh soá 18 cuûa UÛy ban nhaân daân tænh", "Quyết định số 18 của Ủy ban nhân dân tỉnh"),
    ("Ngöôøi daân ôû phöôøng môùi", "Người dân ở phường mới"),  # VNI 0xF4 is ơ, 0xF6 is ư
    ("§oµn c«ng t¸c §¶ng uû", "Đoàn công tác Đảng uỷ"),
])
def test_known_phrases(mojibake, expected):
    assert fix_legacy(mojibake) == expected


# -- round trips ---------------------------------------------------------------------------------
def test_every_letter_round_trips_in_vni():
    assert detect_legacy(encode(EVERY_LETTER, TO_VNI)) == "vni"
    assert fix_legacy(encode(EVERY_LETTER, TO_VNI)) == nfc(EVERY_LETTER)


def test_every_letter_round_trips_in_tcvn3_but_toned_capitals_starting_a_word():
    mojibake = encode(EVERY_LETTER, TO_TCVN3)
    assert detect_legacy(mojibake) == "tcvn3"
    fixed = fix_legacy(mojibake)
    assert_tcvn3_round_trip(EVERY_LETTER, fixed)
    # lines set in capitals come back in capitals: their other letters tell
    assert "TÔ TỐ TỒ TỔ TỖ TỘ" in fixed and "QUYẾT ĐỊNH VỀ VIỆC BAN HÀNH" in fixed
    assert "Ông Nguyễn Văn Hà" in fixed  # Ô has a code of its own
    # the limitation: a toned capital starting a word in ordinary text comes back small
    assert "Chủ tịch ủy ban" in fixed


def test_seed_paragraphs_round_trip():
    paragraphs = seed_paragraphs()
    assert len(paragraphs) >= 5
    for paragraph in paragraphs:
        assert fix_legacy(encode(paragraph, TO_VNI)) == nfc(paragraph)
        assert_tcvn3_round_trip(paragraph, fix_legacy(encode(paragraph, TO_TCVN3)))


def test_whole_seed_pages_round_trip():
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip(f"no seed pages in {SEEDS}")
    for path in files:
        text = path.read_text("utf-8")
        assert fix_legacy(encode(text, TO_VNI)) == nfc(text), path.name
        assert_tcvn3_round_trip(text, fix_legacy(encode(text, TO_TCVN3)))


# -- the conservative detector -------------------------------------------------------------------
VIETNAMESE_NEWS = ("Thủ tướng Chính phủ đã ký ban hành Quyết định về việc phê duyệt Đề án phát triển kinh tế - "
                   "xã hội vùng Tây Nguyên. Ông nói: “Cà Mau, Tây Ninh và Hà Nội đều có mặt”.")
NOT_LEGACY = [
    "Quyết định số 18/QĐ-UBND",
    "São Paulo é ótimo",
    "Über Straße",
    "Café déjà vu",
    "Où est la bibliothèque ? Il a déjà été à Paris, où il a vu le théâtre. Le garçon naïf mange une "
    "crêpe près de la fenêtre. « Bonjour », dit-elle. L'été dernier, nous sommes allés à la mer où l'eau "
    "était fraîche. Noël approche et les élèves préparent une pièce.",
    "A mãe e o pai estão em casa; você já comeu pão? Não, só bebi café. A ação do governo foi rápida e a "
    "população está satisfeita. Três irmãs e duas mães vieram à festa. Põe o chá na mesa, avó.",
    "Die Größe des Gebäudes ist schön; für Müller war das Frühstück köstlich. Österreich und die Schweiz "
    "grenzen an Deutschland. Mädchen hören Musik, während Jungen Fußball spielen. Öl ist teuer.",
    "El niño come una manzana en España. Mañana, el señor irá al baño. Aún no sé si él vendrá; sí, está "
    "aquí. La información está en el área de educación. Ñu, año, sueño, pequeño.",
    "Microsoft® Windows® and Office® are trademarks. Home · About · Contact · « quoted » 3×4 µm © 2024",
    VIETNAMESE_NEWS,
]


@pytest.mark.parametrize("text", NOT_LEGACY)
def test_unicode_and_foreign_text_is_left_alone(text):
    assert detect_legacy(text) is None
    assert fix_legacy(text) is text
    assert decode_html(text.encode("utf-8")) == nfc(text)


@pytest.mark.parametrize("text", [text for text in NOT_LEGACY if _in_windows_1252(text)])
def test_windows_1252_pages_are_left_alone(text):
    page = f'<html><head><meta charset="windows-1252"></head><body><p>{text}</p></body></html>'
    assert decode_html(page.encode("cp1252")) == page


def test_too_few_legacy_words_are_not_converted():
    two_words = "QuyÕt ®Þnh"
    assert MIN_EVIDENCE_WORDS > 2 and fix_legacy(two_words) == two_words


def _real_words() -> list[str]:
    words = set(re.findall(r"[^\W\d_]+", EVERY_LETTER + " " + VIETNAMESE_NEWS))
    for path in sorted(SEEDS.glob("*.txt")):
        words |= set(re.findall(r"[^\W\d_]+", path.read_text("utf-8")))
    return sorted(words)


REAL_WORDS = _real_words()
# the words a legacy reading could also match: every letter is in windows-1252 ("cá", "tôi", "và")
WINDOWS_1252_WORDS = [word for word in REAL_WORDS if not word.isascii() and _in_windows_1252(word)]
# foreign names whose letters look like legacy codes, so that texts get past the detector's cheap gate
FOREIGN_NAMES = ["Müller", "Köln", "Peña", "Zürich", "Øresund", "Ärzte", "Brontë", "Nestlé", "Gödel", "façade",
                 "naïve", "Saône", "Hélène", "Björk", "Citroën", "Samsung®", "«Hà»", "Größe", "España"]
CASINGS = st.sampled_from([str, str.lower, str.title, str.upper])
SEPARATORS = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", " - ", ": "])


def _sentences(words: list[str]):
    word = st.one_of(st.sampled_from(words), st.sampled_from(FOREIGN_NAMES))
    return st.lists(st.tuples(word, CASINGS, SEPARATORS), min_size=1, max_size=80).map(
        lambda parts: "".join(case(word) + sep for word, case, sep in parts))


@settings(max_examples=300, deadline=None)
@given(_sentences(REAL_WORDS))
def test_vietnamese_unicode_is_never_changed(text):
    assert detect_legacy(text) is None
    assert fix_legacy(text) == text
    assert decode_html(text.encode("utf-8")) == nfc(text)


@settings(max_examples=300, deadline=None)
@given(_sentences(WINDOWS_1252_WORDS))
def test_vietnamese_in_windows_1252_letters_is_never_changed(text):
    assert fix_legacy(text) == text
    page = f'<meta charset="windows-1252"><p>{text}</p>'
    assert decode_html(page.encode("cp1252")) == nfc(page)


# -- foreign Latin-script text ------------------------------------------------------------------
# Common words of Latin-script languages, diacritics included: text the legacy repair must leave alone.
FOREIGN_VOCABULARY = {
    "danish": "på så få også være både går står får fordømte søndag lørdag mødet første største køben "
              "hvordan øen år året kære blå grøn hør nær før efter og det til er ikke med har af den en "
              "regeringen mødes ministeren udtalte sagen københavn østersøen fælles tæt bølge ål væk sø "
              "dømt fremmødte tilhængere kritikken nødvendig lørdagens flertallet spørgsmålet",
    "norwegian": "på så få også være både går står får fordømte søndag lørdag møtet første største "
                 "hvordan øya år året kjære blå grønn hør nær før etter og det til er ikke med har av "
                 "regjeringen statsministeren uttalte saken oslo trondheim tromsø bodø ålesund fjær "
                 "læreren døgn høyre venstre stortinget nå må ønsker søker tjenester økonomi",
    "german": "für über müssen können größe straße schön grün häuser mädchen jungen fußball öl "
              "gebäude österreich früher wählen zurück später während außerdem bürger erklärte "
              "regierung ministerium prüfung lösung möglich natürlich schließlich verhältnis",
    "french": "où été déjà à là très après être où ça garçon naïf crêpe fenêtre élèves préparé "
              "noël français société gouvernement ministère réunion décidé âgé hôpital forêt "
              "théâtre côté île août dîner sûr goût cœur sœur œuvre leçon reçu façon bientôt",
    "portuguese": "não são mãe pão você já só está três irmãs ação população rápida avó põe chá "
                  "também até é órgão informação governo ministério eleição câmara país pública "
                  "médico saúde número através após além então coração mãos difícil",
    "polish": "że się już być który może też jest być także będzie który był żeby przez również "
              "między według właśnie dzień miasto ministerstwo rząd spotkanie łódź kraków gdańsk "
              "wrocław poznań zdjęcie wiadomości pieniądze ważne prezydent środa piątek",
    "turkish": "için çok daha bir büyük gibi değil şey olan ile sonra önce kadar göre ülke "
               "hükümet bakan açıklama yaptı söyledi istanbul ankara izmir türkiye çalışma "
               "öğrenci üniversite güzel içinde şöyle görüşme açık yıl ağustos eylül",
}


@pytest.mark.parametrize("language", sorted(FOREIGN_VOCABULARY))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_foreign_latin_script_text_is_never_changed(language, data):
    # a text, not one word repeated: at least eight different words, in any order, case and number
    vocabulary = FOREIGN_VOCABULARY[language].split()
    words = data.draw(st.lists(st.sampled_from(vocabulary), min_size=8, max_size=30, unique=True))
    words += data.draw(st.lists(st.sampled_from(words), max_size=50))
    words = data.draw(st.permutations(words))
    parts = data.draw(st.lists(st.tuples(CASINGS, SEPARATORS), min_size=len(words), max_size=len(words)))
    text = "".join(case(word) + sep for word, (case, sep) in zip(words, parts))
    assert detect_legacy(text) is None
    assert fix_legacy(text) == text
    page = f"<html><head><title>{text[:60]}</title></head><body><p>{text}</p></body></html>"
    assert decode_html(page.encode("utf-8")) == nfc(page)
    if _in_windows_1252(page):
        assert decode_html(f'<meta charset="windows-1252">{page}'.encode("cp1252")) == nfc(
            f'<meta charset="windows-1252">{page}')


def test_danish_pages_seen_rewritten_before_are_left_alone():
    # the two sentences the legacy repair used to turn into "fordứmte", "pồ"
    text = ("Regeringen fordømte lørdag angrebet på ambassaden, og ministeren udtalte, at det også "
            "var første gang. Så står både Danmark og Norge sammen på søndag i Tromsø og Bodø.")
    assert fix_legacy(text) is text
    assert detect_legacy(encode(VIETNAMESE_NEWS, TO_TCVN3)) == "tcvn3"  # the gate still lets TCVN3 in


def test_a_foreign_paragraph_on_a_legacy_page_is_left_alone():
    danish = "Regeringen fordømte lørdag angrebet på ambassaden, og så står både Danmark og Norge sammen."
    page = "".join(f"<p>{encode(p, TO_TCVN3)}</p>" for p in PARAGRAPHS) + f"<p>{danish}</p>"
    assert fix_legacy(page) == "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p>{danish}</p>"


def test_no_scrapinghub_page_is_changed_by_the_repair():
    try:
        root = find_eval_dir() / "scrapinghub" / "html"
    except EvalDataMissing as exc:
        pytest.skip(f"evaluation data absent: {exc}")
    pages = sorted(root.glob("*.html.gz"))
    assert pages, f"no pages in {root}"
    for path in pages:
        data = gzip.decompress(path.read_bytes())
        for view in (data.decode("utf-8", errors="replace"), data.decode("cp1252", errors="replace")):
            assert detect_legacy(view) is None, path.name


# -- the hook in extraction ----------------------------------------------------------------------
TITLE = "Hội nghị sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm 2023"
PARAGRAPHS = [
    "Chiều ngày 31/7/2023, tại UBND huyện Đình Lập, Cụm thi đua 5 huyện biên giới đã tổ chức Hội nghị sơ kết "
    "công tác thi đua, khen thưởng 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2023.",
    "Sau khi nghe dự thảo Báo cáo sơ kết, các đơn vị thành viên trong cụm đã trao đổi, chia sẻ một số nội dung "
    "nhằm làm rõ các nội dung, hoàn thiện dự thảo báo cáo.",
    "Phát biểu kết luận, đồng chí Chủ tịch UBND huyện đề nghị các đơn vị tiếp tục đẩy mạnh các phong trào thi "
    "đua yêu nước, gắn với việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
]


def article_page(title: str, paragraphs: list[str], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (f"<html><head>{head}<title>{title}</title></head><body><h1 class='title'>{title}</h1>\n"
            f"<div class='news-content'>\n{body}</div></body></html>")


def legacy_page(table: dict[str, str], head: str = "") -> str:
    return article_page(encode(TITLE, table), [encode(p, table) for p in PARAGRAPHS], head)


@pytest.mark.parametrize("table", [TO_TCVN3, TO_VNI], ids=["tcvn3", "vni"])
@pytest.mark.parametrize("head,as_bytes", [
    ('<meta charset="windows-1252">', lambda page: page.encode("cp1252")),  # declared
    ("", lambda page: page.encode("cp1252")),  # undeclared: decode_html guesses windows-1258
    ('<meta charset="utf-8">', lambda page: page.encode("utf-8")),  # mojibake saved as UTF-8
    ("", lambda page: b"\xef\xbb\xbf" + page.encode("utf-8")),  # ... with a BOM
], ids=["cp1252", "undeclared", "utf8", "utf8-bom"])
def test_decode_html_converts_legacy_pages(table, head, as_bytes):
    assert decode_html(as_bytes(legacy_page(table, head))) == nfc(article_page(TITLE, PARAGRAPHS, head))


def test_decode_html_leaves_the_unicode_template_around_a_legacy_article():
    menu = "<ul><li>Trang chủ</li><li>Tây Ninh</li><li>Cà Mau</li><li>Giới thiệu</li></ul>"
    page = menu + "".join(f"<p>{encode(p, TO_TCVN3)}</p>" for p in PARAGRAPHS)
    assert decode_html(page.encode("utf-8")) == nfc(menu + "".join(f"<p>{p}</p>" for p in PARAGRAPHS))


@pytest.mark.parametrize("table", [TO_TCVN3, TO_VNI], ids=["tcvn3", "vni"])
def test_extract_article_reads_a_legacy_page(table):
    url = "http://snv.langson.gov.vn/tin-tuc/hoi-nghi-so-ket"
    expected = extract_article(article_page(TITLE, PARAGRAPHS).encode("utf-8"), url)
    article = extract_article(legacy_page(table, '<meta charset="windows-1252">').encode("cp1252"), url)
    assert article.title == expected.title == TITLE
    assert article.text == expected.text and article.content_hash == expected.content_hash
    assert "Cụm thi đua 5 huyện biên giới đã tổ chức Hội nghị sơ kết" in article.text
    assert "phong cách Hồ Chí Minh." in article.text


@pytest.mark.parametrize("table", [TO_TCVN3, TO_VNI], ids=["tcvn3", "vni"])
def test_a_long_legacy_text_full_of_repeated_words_is_converted(table):
    # its distinct evidence words are few beside its words in all: the share counts every word
    text = "\n".join(path.read_text("utf-8") for path in sorted(SEEDS.glob("*.txt"))) * 10
    assert fix_legacy(encode(text, table)).lower() == nfc(text).lower()
