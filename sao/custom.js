/* This file is part of the Sakai LINE employment-support suite.
The COPYRIGHT file at the top level of this repository contains
the full copyright notices and license terms. */
// sao loads custom.js after itself: the back office's own settings.
(function() {
    'use strict';

    // The title bar names the service, not the software
    Sao.config.title = '就業支援';
    document.title = Sao.config.title;

    // Excel in Japan reads a CSV without a byte order mark as Shift_JIS
    // and garbles it: every CSV sao exports starts with one (sao adds it
    // only on Windows)
    var download_file = Sao.common.download_file;
    Sao.common.download_file = function(data, name, options) {
        if ((typeof data == 'string') && /\.csv$/i.test(name || '')
                && (data.charAt(0) != Sao.BOM_UTF8)) {
            data = Sao.BOM_UTF8 + data;
        }
        return download_file.call(this, data, name, options);
    };
}());
