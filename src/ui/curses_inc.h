/* The one way src/ui includes curses: wide-character ncurses. */
#ifndef FLEETDECK_UI_CURSES_INC_H
#define FLEETDECK_UI_CURSES_INC_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#endif
