// Open 就業支援 › 相談 › 予約カレンダー as a counselor: the week, then a day.
// Usage: node booking_calendar.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {toolbar, week: {headers, events}, day: {...}}.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, user, password, screenshot] = process.argv.slice(2);
const browser = await launch();

async function calendar(page) {
    const view = page.locator('#tabcontent .fc');
    await view.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1500);
    return {
        title: await page.locator('#tabcontent .fc-toolbar-title, ' +
            '#tabcontent .fc-toolbar h2').first().innerText(),
        headers: await page.locator(
            '#tabcontent .fc-col-header-cell, #tabcontent .fc-day-header')
            .allInnerTexts(),
        events: await page.locator('#tabcontent .fc-event')
            .allInnerTexts(),
    };
}

await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    await openMenu(page, ['就業支援', '相談', '予約カレンダー']);
    const week = await calendar(page);
    const toolbar = await page.locator('#tabcontent .fc-toolbar')
        .first().innerText();
    // Evenings are the busy hours: show them
    await page.locator('#tabcontent .fc-scroller').last().evaluate(
        e => { e.scrollTop = e.scrollHeight * 15 / 24; });
    await page.waitForTimeout(500);
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    await page.locator('#tabcontent .fc-toolbar button')
        .filter({hasText: /^日$/}).first().click();
    const day = await calendar(page);
    if (screenshot) {
        await page.screenshot({path: screenshot.replace(/\.png$/, '-day.png')});
    }
    console.log(JSON.stringify({toolbar: toolbar.split('\n'), week, day}));
});
