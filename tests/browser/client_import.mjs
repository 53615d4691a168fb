// A coordinator imports the previous operator's registrant list in sao:
// 就業支援 › 相談者 › 前事業者の名簿（CSV）を取込む, chooses the file, reads the
// check (a screenshot), imports the good rows (a screenshot with -done).
// Usage: node client_import.mjs URL DATABASE LOGIN PASSWORD CSV SCREENSHOT
// Prints {check: "...", done: "..."}.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, user, password, csv, screenshot] =
    process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    await openMenu(page, ['就業支援', '相談者']);
    await openMenu(page, ['前事業者の名簿（CSV）を取込む']);
    const dialog = page.locator('.modal-dialog').last();
    const file = dialog.locator('input[type=file]').first();
    await file.waitFor({state: 'attached', timeout: 90000});
    await file.setInputFiles(csv);
    // The bad rows come back as a password zip
    await dialog.locator('input[type=password]').first()
        .fill('kaede-momiji-2026');
    await page.waitForTimeout(1000);
    await dialog.getByRole('button', {name: '確認'}).click();
    await dialog.getByRole('button', {name: '取り込む'})
        .waitFor({timeout: 90000});
    await page.waitForTimeout(1500);
    const values = d => d.locator('textarea').evaluateAll(
        areas => areas.map(a => a.value).join('\n'));
    const check = await dialog.innerText() + '\n' + await values(dialog);
    await page.screenshot({path: screenshot});
    await dialog.getByRole('button', {name: '取り込む'}).click();
    await dialog.getByRole('button', {name: '閉じる'})
        .waitFor({timeout: 90000});
    await page.waitForTimeout(1500);
    const last = page.locator('.modal-dialog').last();
    const done = await last.innerText() + '\n' + await values(last);
    await page.screenshot(
        {path: screenshot.replace(/\.png$/, '-done.png')});
    console.log(JSON.stringify({check, done}));
});
