/** Posting an action with the session's CSRF token; the answer's message for the page. */
export async function postAction(
  namespace: string,
  name: string,
  action: string,
  csrfToken: string,
): Promise<string> {
  const response = await fetch(`/api/applications/${namespace}/${name}/${action}`, {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken },
  });
  if (response.status === 401) {
    location.assign('/login');
    return '';
  }
  const body = (await response.json()) as { message: string };
  return body.message;
}
