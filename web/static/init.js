// Runs first, before the page paints: marks the page as having JavaScript
// and a browser govuk-frontend supports, as the GOV.UK Frontend docs say.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
