/* The salon's name in the web client (served as custom.js by trytond's [web] root) */
Sao.config.title = '美容院管理系统';
Sao.config.icon_colors = '#b0476d,#3e4950,#e78e42'.split(',');
Sao.config.calendar_colors = '#fff,#b0476d'.split(',');
Sao.config.graph_color = '#b0476d';
