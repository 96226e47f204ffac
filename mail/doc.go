// Package mail sends e-mail over SMTP and lays out the service's messages.
//
// Settings come from one URL (GRANTS_SMTP_URL; see ParseURL): STARTTLS is
// required unless the URL says otherwise, so credentials never cross the
// network in clear by accident. Sender.Send delivers one Message with the
// Message-ID the caller fixed beforehand, and says whether a failure is
// worth retrying (IsPermanent): a server's 5xx answer to the sender, a
// recipient or the content is permanent; everything else (a server that is
// down, a time-out, a 4xx answer) is temporary.
//
// Render turns a Content (what happened, what to do, a link, a reference)
// into a plain-text part and an accessible HTML part in the GOV.UK style:
// one column, the link written out in full, no images, no tracking.
//
// The package knows nothing of grants' domain: the delivery activity
// (workflows/activities) decides what each e-mail says and records its
// delivery.
package mail
