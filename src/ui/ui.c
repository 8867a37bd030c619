/* ui_run: curses start-up and shut-down, signals, and the one loop:
 * wait (stdin, the collector's wake fd, the signal pipe, the clock) ->
 * snapshot -> rules -> frame -> present. Everything it draws goes through
 * frame_draw() into a cell buffer; the presenter sends only what changed. */
#include "config.h"
#include "ui/ui.h"
#include "ui/curses_inc.h"
#include <term.h>
#include "ui/present.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/wall.h"
#include "ui/confirm.h"
#include "ui/timeline.h"
#include "history/history.h"
#include "record/recorder.h"
#include "record/replay.h"
#include "action/action.h"
#include "loop/wake.h"
#include "rules/rules.h"
#include "util/util.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Readable-but-empty stdin this many times in a row means EOF. */
#define EMPTY_READS_EOF 3
#define ESC_DELAY_MS 25
#define DEFAULT_ROTATE 20
#define FRAME_GAP 0.1             /* seconds: at most ten frames a second */
/* While polling is paused the screen's time (ages, 'for 3m', what turns
 * stale) moves in steps of this many seconds from the pause; the clock
 * keeps the real time (doc/architecture.md 'Frame pacing') */
#define PAUSED_STEP 10.0

struct ui {
	const struct options *o;
	const struct fleet *f;
	struct model *m;
	struct collector *c;
	struct theme theme;
	struct presenter pr;
	struct cells cells;
	struct ui_state st;
	struct wall_state wall_st;    /* --wall: its own layout (ui/wall.h) */
	struct snapshot snap;
	struct rules_state rs;
	struct evaluation ev;
	SCREEN *screen;
	struct actions *actions;      /* action workers and the audit log */
	struct timeline *tl;          /* --replay: the recording shown, else NULL */
	struct hist_store *hist;      /* trends by time, fed by every snapshot */
	struct event *past;           /* earlier runs' status changes (the recording) */
	size_t npast;
	double hist_now;              /* replay: the moment the store reached */
	double paused_at;             /* live, polling paused: since when (0: not) */
	double held;                  /* ... and the time the screen shows */
	bool ascii, wall, read_only;
	double rotate;                /* wall: seconds per detail panel */
	int empty_reads;
	bool quit;
	bool secret_shown;            /* the last frame showed a key's plaintext */
	/* frame pacing: a frame when something changed, at most one per
	 * FRAME_GAP, and one per second for the clock and the ages */
	bool dirty;
	double last_frame;            /* monotonic */
	long frame_second;            /* wall-clock second of the last frame */
};

/* Signal handlers can reach only these: the write end of the self-pipe and
 * what ncurses had installed for SIGWINCH (chained, so it still sees the
 * resize). */
static struct wake sig_wake = { { -1, -1 } };
static volatile sig_atomic_t sig_quit;
static struct sigaction old_winch, old_term, old_hup, old_int;
static bool curses_active;

static void sig_handler(int sig, siginfo_t *info, void *uctx)
{
	if (sig == SIGWINCH) {
		if (old_winch.sa_flags & SA_SIGINFO)
			old_winch.sa_sigaction(sig, info, uctx);
		else if (old_winch.sa_handler != SIG_DFL && old_winch.sa_handler != SIG_IGN)
			old_winch.sa_handler(sig);
	} else {
		sig_quit = sig;   /* which one: the exit status says it (128 + N) */
	}
	wake_poke_byte(&sig_wake, (char)sig);   /* async-signal-safe, keeps errno */
}

static void fatal_hook(void)
{
	if (curses_active) {
		endwin();
		curses_active = false;
	}
}

static void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sig_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sig_quit = 0;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGINT, &sa, &old_int);
	/* after newterm(), so that ncurses' own SIGWINCH handler is chained */
	sigaction(SIGWINCH, &sa, &old_winch);
}

static void signals_restore(void)
{
	sigaction(SIGWINCH, &old_winch, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* COLORTERM=truecolor (or 24bit) says the terminal takes 24-bit colour,
 * but TERM usually names its 256-colour entry, and ncurses sends 24-bit
 * colour only with a direct-colour entry: "<name>-direct" (ncurses-term)
 * when terminfo has it, else NULL (TERM as it is). */
static const char *truecolor_term(char *buf, size_t size)
{
	const char *ct = getenv("COLORTERM"), *term = getenv("TERM");
	int err;

	if (!ct || !term || !*term || strstr(term, "-direct") ||
	    (strcmp(ct, "truecolor") != 0 && strcmp(ct, "24bit") != 0))
		return NULL;
	str_fmt(buf, size, "%.*s-direct", (int)strcspn(term, "-"), term);
	if (setupterm(buf, STDOUT_FILENO, &err) != OK)
		return NULL;
	del_curterm(cur_term);
	return buf;
}

static int curses_start(struct ui *ui)
{
	char direct[64];

	ui->screen = newterm(ui->o->no_color ? NULL : truecolor_term(direct, sizeof(direct)),
			     stdout, stdin);
	if (!ui->screen) {
		fprintf(stderr, "fleetdeck: cannot start the dashboard on terminal type '%s'\n",
			getenv("TERM") ? getenv("TERM") : "(unset)");
		return -1;
	}
	set_term(ui->screen);
	curses_active = true;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	set_escdelay(ESC_DELAY_MS);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	/* ncurses' first refresh clears the screen; from here on it only
	 * reads keys, and the presenter writes every frame itself */
	refresh();
	present_colors(&ui->pr, &ui->theme, ui->o->no_color);
	return 0;
}

static void curses_stop(struct ui *ui)
{
	if (!curses_active)
		return;
	present_stop(&ui->pr, LINES);
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	curses_active = false;
	delscreen(ui->screen);
	ui->screen = NULL;
}

static void ui_free(struct ui *ui)
{
	cells_free(&ui->cells);
	present_free(&ui->pr);
	evaluation_free(&ui->ev);
	actions_free(ui->actions);
	ui->actions = NULL;
	rules_state_free(&ui->rs);
	snapshot_free(&ui->snap);
	hist_free(ui->hist);
	ui->hist = NULL;
	free(ui->past);
	ui->past = NULL;
}

/* The overview asks for the rows of a large [prometheus] section it shows. */
static void want_rows(void *arg, size_t i, const struct prom_want *w)
{
	struct ui *ui = arg;

	if (model_prom_want(ui->m, i, w) && ui->c)
		collector_wake(ui->c);
}

static void ctx_build(struct ui *ui, struct ui_ctx *u, double now)
{
	memset(u, 0, sizeof(*u));
	u->f = ui->f;
	u->snap = &ui->snap;
	u->ev = &ui->ev;
	u->now = now;
	u->ascii = ui->ascii;
	u->wall = ui->wall;
	u->read_only = ui->read_only;
	u->paused = ui->c ? collector_paused(ui->c) : false;
	u->actions = ui->actions;
	u->rs = &ui->rs;
	u->want_rows = want_rows;
	u->want_arg = ui;
	u->timeline = ui->tl;
	u->hist = ui->hist;
	u->past = ui->past;
	u->npast = ui->npast;
}

/* This frame's moment: the clock, or the recording's moment in replay. */
static double ui_now(const struct ui *ui)
{
	return ui->tl ? timeline_now(ui->tl) : now_wall();
}

/* The moment a frame judges and draws at: now, but while polling is
 * paused (live, not the wall) the pause moment plus whole PAUSED_STEPs, so
 * a paused screen says its data is getting older every PAUSED_STEP
 * seconds instead of rewriting every age each second; a judgement that
 * changes by itself (data turning stale) still changes on time. */
static double ui_held_now(struct ui *ui, double now)
{
	double step;

	if (ui->tl || ui->wall || !ui->c || !collector_paused(ui->c)) {
		ui->paused_at = ui->held = 0;
		return now;
	}
	if (ui->paused_at <= 0 || now < ui->paused_at)
		ui->paused_at = ui->held = now;
	step = ui->paused_at + floor((now - ui->paused_at) / PAUSED_STEP) * PAUSED_STEP;
	if (ui->ev.next_change <= now)
		step = now;
	ui->held = fmax(ui->held, step);
	return ui->held;
}

/* Snapshot, evaluate (against this frame's clock, so data that stops
 * arriving turns stale on screen), draw, present. */
static void ui_frame(struct ui *ui)
{
	struct ui_ctx u;
	double clock = ui_now(ui), now = ui_held_now(ui, clock);

	model_snapshot(ui->m, &ui->snap);
	/* a replay that went back in time starts its trends over */
	if (ui->tl && now < ui->hist_now)
		hist_clear(ui->hist);
	ui->hist_now = now;
	/* (the unheld clock: a paused screen's held now lags the samples) */
	hist_set_now(ui->hist, clock);
	hist_update(ui->hist, &ui->snap, false);
	/* a replay is judged with its own rules state, which knows when each
	 * recorded alert began */
	ui->ev.ages_on_read = true;     /* views read ages with rules_host_age() */
	rules_evaluate(ui->f, &ui->snap, now, ui->tl ? timeline_rules(ui->tl) : &ui->rs, &ui->ev);
	ctx_build(ui, &u, now);
	u.clock = clock;
	if (ui->cells.w != COLS || ui->cells.h != LINES) {
		cells_resize(&ui->cells, COLS, LINES);
		present_invalidate(&ui->pr);
	}
	if (ui->wall) {
		wall_draw(&ui->cells, &u, &ui->wall_st);
		present_frame(&ui->pr, &ui->cells);
		return;
	}
	frame_draw(&ui->cells, &u, &ui->st);
	if (ui->st.confirm.mode != CONFIRM_NONE)
		confirm_draw(&ui->cells, &u, &ui->st);
	/* the dialog that showed a new key's plaintext closed: wipe the
	 * presenter's copy of that frame too, and repaint over it */
	if (ui->secret_shown && !confirm_shows_secret(&ui->st))
		present_forget(&ui->pr);
	ui->secret_shown = confirm_shows_secret(&ui->st);
	present_frame(&ui->pr, &ui->cells);
}

static int key_translate(int r, wint_t wch)
{
	if (r == OK) {
		if (wch == '\r' || wch == '\n')
			return UK_ENTER;
		if (wch == 8 || wch == 127)
			return UK_BACKSPACE;
		return (int)wch;
	}
	switch (wch) {
	case KEY_UP: return UK_UP;
	case KEY_DOWN: return UK_DOWN;
	case KEY_LEFT: return UK_LEFT;
	case KEY_RIGHT: return UK_RIGHT;
	case KEY_PPAGE: return UK_PGUP;
	case KEY_NPAGE: return UK_PGDN;
	case KEY_HOME: return UK_HOME;
	case KEY_END: return UK_END;
	case KEY_BTAB: return UK_BTAB;
	case KEY_ENTER: return UK_ENTER;
	case KEY_BACKSPACE: return UK_BACKSPACE;
	case KEY_RESIZE: return UK_RESIZE;
	}
	return UK_NONE;
}

static enum ui_action mouse_read(struct ui *ui, const struct ui_ctx *u)
{
	MEVENT me;
	int button = 0;

	if (getmouse(&me) != OK)
		return UA_NONE;
	if (me.bstate & BUTTON1_PRESSED)
		button = 1;
	else if (me.bstate & BUTTON4_PRESSED)
		button = 4;
	else if (me.bstate & BUTTON5_PRESSED)
		button = 5;
	return nav_mouse(&ui->st, u, me.x, me.y, button);
}

static void action_apply(struct ui *ui, enum ui_action a, double now)
{
	switch (a) {
	case UA_QUIT:
		ui->quit = true;
		break;
	case UA_PAUSE:
		if (!ui->c)
			break;
		collector_set_paused(ui->c, !collector_paused(ui->c));
		ui_message(&ui->st, now, collector_paused(ui->c) ?
			   "polling paused: data will turn stale" : "polling resumed");
		break;
	case UA_POLL:
		if (ui->c)
			collector_poll_now(ui->c);
		ui_message(&ui->st, now, "polling every target now");
		break;
	case UA_REPAINT:
		present_invalidate(&ui->pr);
		break;
	case UA_ACTION:
		if (ui->tl) {
			ui->st.act.pending = false;
			ui_message(&ui->st, now, "replay: actions are disabled");
			break;
		}
		confirm_request(&ui->st, ui->actions, &ui->snap, now, ui->read_only ?
				(ui->wall ? "wall mode is read-only" : "read-only mode") : NULL);
		break;
	case UA_CONFIRM:
		confirm_start(&ui->st, ui->actions, &ui->snap, now);
		break;
	case UA_CANCEL:
		confirm_cancel(&ui->st, ui->actions, now);
		break;
	case UA_NONE:
	case UA_DRAW:
		break;
	}
}

/* Reads every pending key; returns how many arrived. */
static int keys_read(struct ui *ui)
{
	struct ui_ctx u;
	wint_t wch;
	int r, n = 0;

	ctx_build(ui, &u, ui_now(ui));
	while (!ui->quit && (r = wget_wch(stdscr, &wch)) != ERR) {
		enum ui_action a;

		n++;
		/* a resize: what the terminal shows is unknown (ncurses clears it
		 * for every size it takes, even when the size ends where the
		 * last frame had it: a window dragged and back, a resize storm),
		 * so the next frame draws every cell; in every mode (wall,
		 * dialog, filter, replay) */
		if (r == KEY_CODE_YES && wch == KEY_RESIZE)
			present_invalidate(&ui->pr);
		if (ui->tl && !(r == KEY_CODE_YES && wch == KEY_MOUSE) &&
		    timeline_key(ui->tl, &ui->st, &u, key_translate(r, wch))) {
			ctx_build(ui, &u, ui_now(ui));
			continue;
		}
		if (ui->wall) {
			/* the wall's own keys: q, ?, nothing else (a click is read
			 * and dropped) */
			MEVENT me;
			if (r == KEY_CODE_YES && wch == KEY_MOUSE) {
				getmouse(&me);
				continue;
			}
			action_apply(ui, wall_key(&ui->wall_st, &u, key_translate(r, wch)), u.now);
			continue;
		}
		if (r == KEY_CODE_YES && wch == KEY_MOUSE)
			a = mouse_read(ui, &u);
		else
			a = nav_key(&ui->st, &u, key_translate(r, wch));
		action_apply(ui, a, u.now);
	}
	return n;
}

/* True when stdin is readable but has nothing: the terminal is gone. */
static bool stdin_at_eof(struct ui *ui, short revents, int nkeys)
{
	int avail = 0;

	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	if (!(revents & POLLIN) || nkeys > 0) {
		ui->empty_reads = 0;
		return false;
	}
	if (ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail > 0)
		return false;
	return ++ui->empty_reads >= EMPTY_READS_EOF;
}

/* Live: the moment the last frame's judgement changes by itself (data
 * turns stale, a poll overdue), INFINITY if none: the frame is drawn then,
 * not at the clock's next second, up to a second (an interval) late. */
static double judgement_due(const struct ui *ui)
{
	/* paused: the next step, or the next judgement (ui_held_now()) */
	if (ui->paused_at > 0)
		return fmin(ui->ev.next_change, ui->paused_at +
			    (floor((now_wall() - ui->paused_at) / PAUSED_STEP) + 1) * PAUSED_STEP);
	return ui->tl ? INFINITY : ui->ev.next_change;
}

/* How long to wait: until a frame may be drawn (something changed), else
 * until the clock's next second or the judgement's next change. */
static int wait_ms(const struct ui *ui)
{
	double left, now = now_wall();

	if (ui->dirty) {
		left = ui->last_frame + FRAME_GAP - now_mono();
		return left <= 0 ? 0 : (int)(left * 1000) + 1;
	}
	left = fmin(1.0 - fmod(now, 1.0), judgement_due(ui) - now);
	return left <= 0 ? 0 : (int)(left * 1000) + 5;
}

/* Waits for input, new data, a signal, the replay's next step or the next
 * second of the clock; marks the frame dirty when any of them came. */
static void ui_wait(struct ui *ui)
{
	struct pollfd pfd[4];
	int timeout = wait_ms(ui);
	int nfds = 2, nkeys;

	if (ui->tl && timeline_wait_ms(ui->tl) >= 0 && timeline_wait_ms(ui->tl) < timeout)
		timeout = timeline_wait_ms(ui->tl);

	pfd[0] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
	pfd[1] = (struct pollfd){ wake_fd(&sig_wake), POLLIN, 0 };
	int wake_idx = -1, act_idx = -1;

	if (ui->c && collector_wake_fd(ui->c) >= 0) {
		wake_idx = nfds;
		pfd[nfds++] = (struct pollfd){ collector_wake_fd(ui->c), POLLIN, 0 };
	}
	if (ui->actions) {
		act_idx = nfds;
		pfd[nfds++] = (struct pollfd){ actions_wake_fd(ui->actions), POLLIN, 0 };
	}
	if (poll(pfd, (nfds_t)nfds, timeout) < 0 && errno != EINTR) {
		ui->quit = true;
		return;
	}
	if (pfd[1].revents & POLLIN) {
		wake_drain(&sig_wake);
		ui->dirty = true;     /* a resize */
	}
	if (sig_quit) {
		ui->quit = true;
		return;
	}
	if (wake_idx >= 0 && (pfd[wake_idx].revents & POLLIN)) {
		collector_drain_wake(ui->c);
		ui->dirty = true;
	}
	if (act_idx >= 0 && (pfd[act_idx].revents & POLLIN)) {
		actions_drain_wake(ui->actions);
		ui->dirty = true;
		/* a finished action: show its result, and list the targets again */
		if (confirm_poll_result(&ui->st, ui->actions, now_wall()) && ui->c)
			collector_poll_now(ui->c);
	}
	if (ui->tl && timeline_tick(ui->tl, now_mono()))
		ui->dirty = true;
	/* the clock and the ages move once a second; a judgement when due */
	if ((long)now_wall() != ui->frame_second || now_wall() >= judgement_due(ui))
		ui->dirty = true;
	/* also after EINTR: a resize shows up as KEY_RESIZE here */
	nkeys = keys_read(ui);
	if (nkeys > 0)
		ui->dirty = true;
	if (stdin_at_eof(ui, pfd[0].revents, nkeys))
		ui->quit = true;
}

/* The dashboard records (--record, record =): the Events view also lists
 * the status changes of the runs recorded before this one, read once here
 * from the recording (its current file; rotated ones are --replay's). */
static void past_load(struct ui *ui, const struct options *o)
{
	struct recorder_opts ro;
	struct replay rp;
	char *path = NULL, err[256];

	if (!recorder_opts_from_fleet(ui->f, o->record, &ro, &path) ||
	    replay_open_file(&rp, path, err, sizeof(err)) < 0) {
		free(path);
		return;
	}
	ui->past = xcalloc(rp.nevents + 1, sizeof(*ui->past));
	for (size_t i = 0; i < rp.nevents; i++)
		if (rp.events[i].at < ui->m->started_at)
			ui->past[ui->npast++] = rp.events[i];
	replay_close(&rp);
	free(path);
}

/* "/etc/x/bad.theme:3: msg" -> "bad.theme:3: msg". */
static const char *theme_err_short(const char *err)
{
	const char *colon = strchr(err, ':'), *slash = NULL;

	for (const char *p = err; colon && p < colon; p++)
		if (*p == '/')
			slash = p;
	return slash ? slash + 1 : err;
}

static int ui_init(struct ui *ui, const struct options *o, const struct fleet *f,
		   struct model *m, struct collector *c)
{
	char err[512], theme_note[600] = "";
	const char *rate;

	memset(ui, 0, sizeof(*ui));
	ui->o = o;
	ui->f = f;
	ui->m = m;
	ui->c = c;
	ui->wall = o->mode == MODE_WALL;
	ui->read_only = o->read_only || f->read_only || ui->wall || o->replay;
	ui->rotate = o->rotate > 0 ? o->rotate : DEFAULT_ROTATE;
	/* across a room, high contrast is the wall's default; a theme with an
	 * error is said (file:line) and replaced by the default, never fatal */
	if (theme_load_or(o->theme ? o->theme : ui->wall ? "high-contrast" : NULL,
			  ui->wall ? "high-contrast" : NULL, &ui->theme, err, sizeof(err)) != 0 &&
	    o->theme) {
		/* (the wall's own default missing, in an uninstalled build, is
		 * not worth a word: the built-in colours stand in) */
		fprintf(stderr, "fleetdeck: %s; using the %s theme\n", err, ui->theme.name);
		/* on screen the file's name is enough: "bad.theme:3: ..." */
		str_fmt(theme_note, sizeof(theme_note), "theme %s; using %s", theme_err_short(err),
			ui->theme.name);
	}
	setlocale(LC_ALL, "");
	ui->ascii = o->ascii || !locale_is_utf8();
	cells_init(&ui->cells, 0, 0, ui->ascii);
	present_init(&ui->pr);
	rules_state_init(&ui->rs, f->nhosts);
	ui->hist = hist_new();
	/* benchmarks only: a day's trends in minutes (history.h) */
	if ((rate = getenv("FLEETDECK_BENCH_HIST_RATE")))
		hist_time_rate(ui->hist, atof(rate));
	if (!o->replay && !ui->wall)
		past_load(ui, o);
	/* a replay changes nothing and reads no live audit log */
	ui->actions = o->replay ? NULL : actions_new(f, m);
	ui_state_init(&ui->st, o->view, ui->wall, now_wall());
	if (ui->wall) {
		int v = views_find(o->view);

		wall_init(&ui->wall_st, ui->rotate, now_wall());
		/* --view names the first detail panel, when it is one */
		if (v >= 0 && views_table[v]->wall_title)
			ui->wall_st.panel = v;
	}
	if (theme_note[0] && ui->wall)
		str_copy(ui->wall_st.note, theme_note, sizeof(ui->wall_st.note));
	else if (theme_note[0])
		ui_message(&ui->st, now_wall(), theme_note);
	return 0;
}

static int ui_loop(const struct options *o, const struct fleet *f, struct model *m,
		   struct collector *c, struct timeline *tl);

int ui_run(const struct options *o, const struct fleet *f, struct model *m,
	   struct collector *c)
{
	return ui_loop(o, f, m, c, NULL);
}

int ui_run_replay(const struct options *o, struct timeline *tl)
{
	return ui_loop(o, &timeline_replay(tl)->f, timeline_model(tl), NULL, tl);
}

static int ui_loop(const struct options *o, const struct fleet *f, struct model *m,
		   struct collector *c, struct timeline *tl)
{
	struct ui ui;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "fleetdeck: the dashboard needs a terminal; "
			"use --once or --check for scripts\n");
		return 1;
	}
	rc = ui_init(&ui, o, f, m, c);
	if (rc != 0)
		return rc;
	ui.tl = tl;
	if (wake_open(&sig_wake) < 0) {
		fprintf(stderr, "fleetdeck: pipe: %s\n", strerror(errno));
		ui_free(&ui);
		return 1;
	}
	util_set_fatal_hook(fatal_hook);
	if (curses_start(&ui) < 0) {
		util_set_fatal_hook(NULL);
		wake_close(&sig_wake);
		ui_free(&ui);
		return 1;
	}
	signals_install();
	ui.dirty = true;
	ui.last_frame = -FRAME_GAP;
	while (!ui.quit && !sig_quit) {
		double now = now_mono();

		if (ui.dirty && now - ui.last_frame >= FRAME_GAP) {
			ui.dirty = false;
			ui.last_frame = now;
			ui.frame_second = (long)now_wall();
			ui_frame(&ui);
		}
		ui_wait(&ui);
	}
	curses_stop(&ui);
	signals_restore();
	util_set_fatal_hook(NULL);
	wake_close(&sig_wake);
	ui_free(&ui);
	return sig_quit ? 128 + sig_quit : 0;
}
