"""What people do on the case loop's pages in Chromium, for the browser tests: the grid leader adds a photo on the
phone (/cases), the secretary opens a case and chooses in the queue's dropdowns (/queue)."""

from __future__ import annotations

from photo_samples import phone_jpeg
from playwright.sync_api import Page, expect


def add_photo(page: Page) -> str:
    """On the case shown, tap 照片 and choose a phone's JPEG (GPS and camera EXIF) in the file picker; once it is
    saved and shown in the case's history, the address it is served from."""
    with page.expect_file_chooser() as chooser:
        page.locator("#case-photo-pick").click()
    chooser.value.set_files({"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()})
    expect(page.locator(".gg-case-message")).to_contain_text("照片已保存")
    photo = page.locator("img.gg-event-photo")
    expect(photo).to_have_count(1)
    page.wait_for_function("() => { const i = document.querySelector('img.gg-event-photo');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    src = photo.get_attribute("src")
    assert src
    return src


def pick(page: Page, case_id: str) -> None:
    """Open a case of the queue's list in its detail pane."""
    page.locator(f".gg-queue-row[data-case='{case_id}'] .gg-queue-pick").click()
    expect(page.locator(f"#queue-detail [data-case='{case_id}']")).to_be_visible()


def choose(page: Page, dropdown: str, label: str) -> None:
    """Choose the option shown as `label` in the dropdown whose id is `dropdown`."""
    page.locator(f"#{dropdown}").click()
    page.get_by_role("option", name=label, exact=True).click()
