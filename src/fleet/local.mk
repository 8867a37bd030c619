# src/fleet: files of this area
