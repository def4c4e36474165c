/** Sign-in, and the error page a browser gets where the API would answer a problem. */
import type { FC } from 'hono/jsx';
import { Bare, Card, Csrf, Layout, PageHead } from '../components';

export const LoginPage: FC<{ next: string; error?: string | undefined; signedOut?: boolean }> = ({
  next,
  error,
  signedOut,
}) => (
  <Bare title="Sign in">
    <div class="login">
      <Card>
        <div class="card-body">
          <h1>Inlet</h1>
          <div class="muted">Sign in with the admin token (ADMIN_TOKEN).</div>
          <form method="post" action="/admin/login">
            <input type="hidden" name="next" value={next} />
            {/* For password managers: the token is the password of a user with no name. */}
            <input type="text" name="username" value="admin" autocomplete="username" hidden />
            {signedOut && !error ? (
              <div class="flash info" role="status">
                Signed out.
              </div>
            ) : null}
            {error ? (
              <div class="flash bad" role="alert">
                {error}
              </div>
            ) : null}
            <label class="field">
              Admin token
              <input type="password" name="token" required autocomplete="current-password" autofocus />
            </label>
            <button type="submit" class="btn primary">
              Sign in
            </button>
          </form>
          <p class="note">
            The token is checked once; the browser keeps a signed session for 8 hours, never the token.
          </p>
        </div>
      </Card>
    </div>
  </Bare>
);

interface ErrorProps {
  status: number;
  title: string;
  detail: string;
  code?: string | undefined;
  /** Signed in: the page keeps the navigation. */
  csrf?: string | undefined;
}

const ErrorBody: FC<ErrorProps> = ({ status, title, detail, code }) => (
  <div class="error-page" data-testid="error-page">
    <div class="code">
      {status}
      {code ? ` · ${code}` : ''}
    </div>
    <h1>{title}</h1>
    <p class="muted">{detail}</p>
    <p>
      <a class="btn" href="/admin">
        Back to events
      </a>
    </p>
  </div>
);

export const ErrorPage: FC<ErrorProps> = (props) =>
  props.csrf ? (
    <Layout title={props.title} csrf={props.csrf}>
      <ErrorBody {...props} />
    </Layout>
  ) : (
    <Bare title={props.title}>
      <main>
        <ErrorBody {...props} />
      </main>
    </Bare>
  );

export const SignOutPage: FC<{ csrf: string }> = ({ csrf }) => (
  <Layout title="Sign out" csrf={csrf}>
    <PageHead title="Sign out?" sub="This browser forgets its session; sign in again with the admin token." />
    <form method="post" action="/admin/logout">
      <Csrf token={csrf} />
      <button type="submit" class="btn primary">
        Sign out
      </button>
    </form>
  </Layout>
);
