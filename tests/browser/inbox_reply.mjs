// A counselor opens 就業支援 › 問い合わせ › 受信箱, opens the inquiry
// whose subject is SUBJECT, answers it with TEXT and sends it.
// Usage: node inbox_reply.mjs URL DATABASE LOGIN PASSWORD SUBJECT TEXT SCREENSHOT
// Prints a JSON object: {rows: [...], form: "..."}.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, user, password, subject, text, screenshot] =
    process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    await openMenu(page, ['就業支援', '問い合わせ', '受信箱']);
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const texts = await rows.allInnerTexts();
    await page.locator('#tabcontent .treeview tbody')
        .getByText(subject, {exact: true}).first().dblclick();
    await page.waitForTimeout(1500);
    const form = await page.locator('#tabcontent').innerText();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    await page.getByRole('button', {name: '返信する'}).click();
    const dialog = page.locator('.modal-dialog').last();
    await dialog.locator('textarea').first().waitFor({timeout: 30000});
    await dialog.locator('textarea').first().fill(text);
    await dialog.getByRole('button', {name: '送信'}).click();
    await page.waitForTimeout(2000);
    console.log(JSON.stringify({rows: texts, form}));
});
