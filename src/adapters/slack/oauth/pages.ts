/**
 * The plain HTML pages a person sees while installing: the install page with its "Add to Slack"
 * link, the success page and the error page. Every value that is not ours (team names, error
 * codes, URLs) is HTML-escaped.
 */

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; color: #1d1c1d; }
a.button { display: inline-block; padding: .6rem 1.2rem; background: #4a154b; color: #fff; border-radius: .3rem; text-decoration: none; }
code { background: #f4f4f4; padding: 0 .2rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/** The install page: what the bot does and the "Add to Slack" link (which carries the state). */
export function installPage(authorizeUrl: string, appName: string): string {
  return page(
    `Add ${appName} to Slack`,
    `<p>${escapeHtml(appName)} answers questions about analysis briefings with cited excerpts, and can post scheduled digests to your channels.</p>
<p><a class="button" href="${escapeHtml(authorizeUrl)}">Add to Slack</a></p>
<p>You will be asked to choose a workspace and approve the permissions the bot needs.</p>`,
  );
}

/** The page after a successful install. */
export function successPage(details: {
  appName: string;
  teamName?: string | undefined;
  teamId?: string | undefined;
  appId?: string | undefined;
  /** An Enterprise Grid organisation-wide install (`teamName` is then the organisation's). */
  organisation?: boolean;
  /** SLACK_COMMAND_PREFIX, so the commands suggested are the ones that exist (`/bb-help`). */
  commandPrefix?: string;
}): string {
  const name = details.teamName ? escapeHtml(details.teamName) : undefined;
  const where = details.organisation
    ? `the Enterprise Grid organisation ${name ?? ''}`.trimEnd()
    : name
      ? `the workspace ${name}`
      : 'your workspace';
  const command = (n: string) => `<code>/${escapeHtml(details.commandPrefix ?? '')}${n}</code>`;
  const open =
    details.teamId && details.appId
      ? `<p><a class="button" href="slack://app?team=${encodeURIComponent(details.teamId)}&amp;id=${encodeURIComponent(details.appId)}">Open Slack</a></p>`
      : '';
  const org = details.organisation
    ? "\n<p>An organisation admin chooses the workspaces it is added to, in the organisation's app settings.</p>"
    : '';
  return page(
    `${details.appName} is installed`,
    `<p>${escapeHtml(details.appName)} is now installed in ${where}.</p>${org}
<p>Try ${command('help')} or ${command('ask')} with a question in any channel. Workspace admins and the person who installed the app can add scheduled digests to a channel with ${command('digest')} <code>subscribe daily 09:00</code>.</p>
${open}
<p>You can close this page.</p>`,
  );
}

/** Slack's own reasons for not completing an install, in words a person can act on. */
const SLACK_REASONS: Record<string, string> = {
  invalid_team_for_non_distributed_app:
    "Until the app's distribution is turned on, only the workspace it was created in can install it: the bot's operator turns it on under Manage Distribution in the app's settings.",
  bad_redirect_uri:
    "The redirect URL this bot runs at is not among the app's redirect URLs: the bot's operator adds it under OAuth & Permissions in the app's settings.",
  invalid_scope: "The app asked for a permission Slack does not know: the bot's operator should check the app's scopes.",
};

/**
 * Why an install failed, in words a person can act on, with the HTTP status to send.
 * `slackError` is Slack's error code (from `oauth.v2.access`, or the `error` Slack put on the
 * redirect); it is shown as given, escaped.
 */
export function describeInstallError(code: string | undefined, slackError?: string): { status: number; title: string; text: string } {
  const reason = slackError ? ` ${SLACK_REASONS[slackError] ?? ''}`.trimEnd() : '';
  switch (code) {
    case 'slack_oauth_invalid_state':
    case 'slack_oauth_missing_state':
    case 'state_used':
      return {
        status: 400,
        title: 'This install link is not valid here',
        text: 'The installation was not started from this browser, or the link expired after 10 minutes. Start again from the install page.',
      };
    case 'slack_oauth_missing_code':
      if (slackError) {
        return {
          status: 400,
          title: 'Slack did not complete the installation',
          text: `Slack reported "${slackError}".${reason} Nothing was installed; start again from the install page.`,
        };
      }
      return { status: 400, title: 'Slack did not send an authorization code', text: 'Start again from the install page.' };
    case 'slack_oauth_installer_authorization_error':
      return { status: 200, title: 'Installation cancelled', text: 'Nothing was installed. You can start again from the install page.' };
    default:
      return {
        status: slackError ? 502 : 500,
        title: 'The installation did not complete',
        text: slackError
          ? `Slack refused to finish the installation (${slackError}).${reason} Start again from the install page; if it keeps failing, tell the bot's operator.`
          : "Something went wrong on our side. Start again from the install page; if it keeps failing, tell the bot's operator.",
      };
  }
}

/** The error page, with a link back to the install page. */
export function errorPage(problem: { title: string; text: string }, installPath: string): string {
  return page(
    problem.title,
    `<p>${escapeHtml(problem.text)}</p>\n<p><a href="${escapeHtml(installPath)}">Back to the install page</a></p>`,
  );
}
