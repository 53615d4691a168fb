// Log in to sao as a counselor, open 就業支援 › 診断・アンケート › 回答,
// then the registration diagnosis, and take a screenshot.
// Usage: node responses.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {rows: [...], form: "..."}.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, user, password, screenshot] = process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    await openMenu(page, ['就業支援', '診断・アンケート', '回答']);
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const texts = await rows.allInnerTexts();
    if (screenshot) {
        await page.screenshot({path: screenshot.replace(/\.png$/, '-list.png')});
    }
    // Open the diagnosis by its start date (the other cells are links)
    const row = rows.filter({hasText: '登録時診断'}).first();
    await row.locator('td').filter({hasText: /^\d{4}\/\d{2}\/\d{2}$/})
        .first().dblclick();
    await page.waitForTimeout(2000);
    const form = await page.locator('#tabcontent').innerText();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    console.log(JSON.stringify({rows: texts, form}));
});
